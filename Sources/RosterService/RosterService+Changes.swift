import Logging
import RosterRPC
import RosterStore
import RosterWire

// ListContactChanges and WatchContactChanges: the tenant's change feed, paged or live.
extension RosterService {
    func listContactChanges(_ request: ListContactChangesRequest, caller: Caller) async throws(RPCError)
        -> ListContactChangesResponse
    {
        try requireChangeFeed()
        guard request.pageSize >= 0 else {
            throw RPCError(.invalidArgument, "page_size must not be negative (default 100, at most 1,000)")
        }
        let pageSize = request.pageSize == 0 ? 100 : min(Int(request.pageSize), 1_000)
        let after = try Self.validCursor(request.after)
        let page = try await changes(tenant: caller.tenantID, after: after, limit: pageSize + 1)
        var response = ListContactChangesResponse()
        response.changes = try await wire(Array(page.changes.prefix(pageSize)), tenant: caller.tenantID)
        response.nextCursor = response.changes.last?.cursor ?? after
        response.hasMore = page.changes.count > pageSize
        return response
    }

    /// The backlog after the cursor a page at a time, then each commit's changes as they come.
    ///
    /// A watcher holds one page at most: when the client reads slowly, `writer.write` waits for its
    /// flow-control credit and the next page is read only after. Syncs never wait for watchers.
    /// Watchers share the pages they read (``ChangePageCache``). The loop wakes on the store's
    /// ``ChangeSignal`` (advanced locally at commit and on other replicas' news) and, as a safety
    /// net, every ``Configuration/changePollInterval``.
    func watchContactChanges(
        _ request: WatchContactChangesRequest,
        writer: RPCResponseWriter<ContactChange>,
        caller: Caller
    ) async throws {
        try requireChangeFeed()
        var cursor = try Self.validCursor(request.after)
        let tenant = caller.tenantID
        let signal = store.changeSignal
        while !Task.isCancelled {
            let generation = signal.generation(tenant: tenant)
            let (page, atTail) = try await watchPage(tenant: tenant, after: cursor, generation: generation)
            for change in page {
                try await writer.write(change)
                cursor = change.cursor
            }
            if atTail {
                await signal.wait(tenant: tenant, past: generation, timeout: configuration.changePollInterval)
            }
        }
    }

    /// The changes after `cursor` up to the end of the shared page that holds the next one, and
    /// whether they reach the newest change. A cursor the shared page cannot answer for (no change
    /// follows it in the page, or the page's start is no longer retained) is read directly, so that
    /// its errors are the cursor's own.
    private func watchPage(tenant: String, after cursor: Int64, generation: UInt64) async throws(RPCError)
        -> (changes: [ContactChange], atTail: Bool)
    {
        let size = changePages.pageSize
        do {
            let page = try await changePages.page(tenant: tenant, containingChangeAfter: cursor, generation: generation)
            {
                [self] after in
                try await wire(try await changes(tenant: tenant, after: after, limit: size).changes, tenant: tenant)
            }
            let after = page.drop { $0.cursor <= cursor }
            if !after.isEmpty { return (Array(after), page.count < size) }
            // Nothing after the cursor in a page that ends at it: the cursor is the newest change.
            if page.last?.cursor == cursor, page.count < size { return ([], true) }
        } catch {
            // Read directly below: the cursor's own answer, or its own error.
        }
        let page = try await changes(tenant: tenant, after: cursor, limit: size)
        return (try await wire(page.changes, tenant: tenant), page.changes.count < size)
    }

    /// Deletes changes older than the retention until cancelled: every tenth of the retention,
    /// at least every 10 minutes and at most every second.
    func pruneChanges() async {
        guard let retention = configuration.changeRetention else { return }
        let retentionMilliseconds = retention.components.seconds * 1_000
        let interval = max(.seconds(1), min(retention / 10, .seconds(10 * 60)))
        while !Task.isCancelled {
            do {
                let pruned = try await store.pruneChanges(before: configuration.now() - retentionMilliseconds)
                if pruned > 0 {
                    changePages.removeAll()
                    logger.info("pruned contact changes past their retention", metadata: ["count": "\(pruned)"])
                }
            } catch {
                logger.warning("pruning the change feed failed; trying again later", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// The changes as the wire carries them, each contact with its local overrides applied.
    private func wire(_ changes: [ContactChangeRecord], tenant: String) async throws(RPCError) -> [ContactChange] {
        let contacts = try await storeCall { () async throws(StoreError) in
            try await overridden(changes.compactMap(\.contact), tenant: tenant)
        }
        let byID = Dictionary(contacts.map { ($0.directory.id, $0) }, uniquingKeysWith: { first, _ in first })
        return changes.map { ContactChange($0, contact: byID[$0.contactID]) }
    }

    private func requireChangeFeed() throws(RPCError) {
        guard configuration.changeRetention != nil else {
            throw RPCError(
                .failedPrecondition,
                "the change feed is off on this server (started with --change-retention 0); "
                    + "read contacts with ListContacts"
            )
        }
    }

    private static func validCursor(_ cursor: Int64) throws(RPCError) -> Int64 {
        guard cursor >= 0 else {
            throw RPCError(.invalidArgument, "after must not be negative (0 reads from the start of the history)")
        }
        return cursor
    }

    /// The store's page, a cursor out of the retained history answered FAILED_PRECONDITION.
    private func changes(tenant: String, after: Int64, limit: Int) async throws(RPCError) -> ContactChangePage {
        do {
            return try await store.changes(tenant: tenant, after: after, limit: limit)
        } catch  where error.code == .expired {
            throw RPCError(
                .failedPrecondition,
                "\(error.message). Read every contact again with ListContacts and resume the feed from the "
                    + "change_cursor of its first page",
                metadata: ["roster-error-code": "CHANGES_EXPIRED"]
            )
        } catch {
            throw RPCError(error)
        }
    }
}

extension ContactChange {
    /// `record` carrying `contact` (its contact with overrides; nil once removed).
    init(_ record: ContactChangeRecord, contact: OverriddenContact?) {
        self.init()
        cursor = record.sequence
        kind =
            switch record.kind {
            case .added: .added
            case .updated: .updated
            case .removed: .removed
            }
        source =
            switch record.source {
            case .directory: .directory
            case .override: .override
            case .photo: .photo
            }
        contactID = record.contactID
        self.contact = contact.map { Contact($0, includeDirectoryValues: false) }
        changedUnixMs = record.changedAt
    }
}
