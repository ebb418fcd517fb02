package import Logging
package import RosterDirectory
package import RosterStore
internal import RosterSync
internal import Synchronization

/// Each tenant's mail-enabled security groups for type-ahead: a ``GroupIndex`` in memory, backed
/// by the store's copy (so a restart answers at once), refreshed from the directory at connect,
/// before each sync, and in the background when older than the service's maximum age.
package final class GroupCache: Sendable {
    private struct State {
        var indexes: [String: GroupIndex] = [:]
        /// Tenants with a refresh in flight (a second one is not started).
        var refreshing: Set<String> = []
        /// When a background refresh last failed, per tenant, in the injected clock's Unix
        /// milliseconds (the next waits a minute).
        var failedAt: [String: Int64] = [:]
    }

    private let state = Mutex(State())
    private let store: any Store
    private let connector: DirectoryConnector
    private let now: @Sendable () -> Int64
    private let logger: Logger
    /// Groups (and pages, at one per 100 of them) a refresh may read before it fails.
    private let maxGroups: Int
    /// Background refreshes running at once over all tenants: a thousand StartSyncs at the same
    /// moment must not read a thousand group listings at once (each holds its directory's pages).
    private let backgroundRefreshes = JobSlots(limit: 4)
    /// Tenants whose background refresh was asked for; ``run()`` takes them.
    private let requests: AsyncStream<String>
    private let request: AsyncStream<String>.Continuation

    package init(
        store: any Store,
        connector: DirectoryConnector,
        maxGroups: Int = 200_000,
        now: @escaping @Sendable () -> Int64,
        logger: Logger
    ) {
        self.store = store
        self.connector = connector
        self.maxGroups = maxGroups
        self.now = now
        self.logger = logger
        (requests, request) = AsyncStream.makeStream()
    }

    /// The tenant's index: from memory, or loaded from the store the first time.
    package func index(tenant: String) async throws(StoreError) -> GroupIndex {
        if let index = state.withLock({ $0.indexes[tenant] }) { return index }
        let stored = try await store.groups(tenant: tenant)
        let index = await offEventLoop { GroupIndex(groups: stored.groups, refreshedAt: stored.refreshedAt) }
        return state.withLock { state in
            // A refresh that finished meanwhile is newer: keep it.
            if let newer = state.indexes[tenant] { return newer }
            state.indexes[tenant] = index
            return index
        }
    }

    /// Drops the tenant's index (another replica saved newer groups): the next search loads the
    /// store's copy.
    package func forget(tenant: String) {
        _ = state.withLock { $0.indexes.removeValue(forKey: tenant) }
    }

    /// Drops every tenant's index (news of other replicas' refreshes may have been missed).
    package func forgetAll() {
        state.withLock { $0.indexes.removeAll() }
    }

    /// Lists the directory's mail-enabled security groups, saves them and swaps the index.
    /// Returns how many are cached. Throws ``DirectoryError/Code/limitExceeded`` past `maxGroups`
    /// groups or `maxGroups / 100` pages, leaving the previous groups in place.
    @discardableResult
    package func refresh(tenant: String, directory: any DirectorySource) async throws -> Int {
        var records: [GroupRecord] = []
        var pages = 0
        let maxPages = max(1, maxGroups / 100)
        for try await page in directory.mailEnabledSecurityGroups() {
            pages += 1
            let tooMany = records.count + page.items.count > maxGroups
            guard !tooMany, pages <= maxPages else {
                throw DirectoryError(
                    .limitExceeded,
                    "the directory listed more than \(tooMany ? "\(maxGroups) groups" : "\(maxPages) pages") of "
                        + "mail-enabled security groups (a looping next link?); the type-ahead keeps the groups it had",
                    directoryCode: "groupListingTooLarge"
                )
            }
            for group in page.items {
                records.append(
                    GroupRecord(
                        id: group.id,
                        displayName: group.displayName ?? group.id,
                        mail: group.mail,
                        mailEnabled: group.mailEnabled,
                        securityEnabled: group.securityEnabled,
                        kind: group.kind.storeKind
                    )
                )
            }
        }
        let refreshedAt = now()
        try await store.replaceGroups(tenant: tenant, groups: records, now: refreshedAt)
        let index = await offEventLoop { GroupIndex(groups: records, refreshedAt: refreshedAt) }
        state.withLock { $0.indexes[tenant] = index }
        return index.groups.count
    }

    /// Asks for a refresh of `tenant`'s groups in the background (``run()`` carries it out, with
    /// the tenant's connection as it is then), unless one is running or one was tried without
    /// success within the last minute (a directory that is down, or a tenant not connected, is not
    /// asked at keystroke rate). Failures are logged; the old index keeps answering. Costs the
    /// caller no I/O.
    package func refreshInBackground(tenant id: String) {
        let current = now()
        let claimed = state.withLock { state -> Bool in
            if let failed = state.failedAt[id], current < failed + 60_000 { return false }
            return state.refreshing.insert(id).inserted
        }
        if claimed { request.yield(id) }
    }

    /// Runs the background refreshes asked for, at most four at once, each a child task, until
    /// the calling task is cancelled (then those under way are cancelled too). The server runs it
    /// beside its listener.
    package func run() async {
        await withDiscardingTaskGroup { group in
            for await id in requests {
                group.addTask { await self.backgroundRefresh(tenant: id) }
            }
        }
    }

    private func backgroundRefresh(tenant id: String) async {
        defer { _ = state.withLock { $0.refreshing.remove(id) } }
        do {
            try await backgroundRefreshes.acquire { _ in }
            defer { backgroundRefreshes.release() }
            guard let tenant = try await store.tenant(id: id), tenant.connectionState == .authorized else {
                state.withLock { $0.failedAt[id] = now() }
                return
            }
            let directory = try await connector.directory(tenant: tenant, store: store)
            let count = try await refresh(tenant: id, directory: directory)
            _ = state.withLock { $0.failedAt.removeValue(forKey: id) }
            logger.debug("group cache refreshed", metadata: ["tenant": "\(id)", "groups": "\(count)"])
        } catch is CancellationError {
            return
        } catch {
            state.withLock { $0.failedAt[id] = now() }
            logger.warning(
                "group cache refresh failed; the previous groups keep answering",
                metadata: ["tenant": "\(id)", "error": "\(error)"]
            )
        }
    }
}

extension DirectoryGroup.Kind {
    /// The stored kind of a directory group.
    package var storeKind: RosterStore.GroupKind {
        switch self {
        case .mailEnabledSecurity: .mailEnabledSecurity
        case .security, .other: .security
        case .distributionList: .distribution
        case .microsoft365: .microsoft365
        }
    }
}
