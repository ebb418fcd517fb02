internal import Logging
internal import PostgresNIO
package import RosterStore
internal import Synchronization

extension PostgresStore {
    /// A streamed apply (``PostgresStreamedApply``) when the tenant has no contacts and fewer than
    /// ``PostgresStoreConfiguration/maximumStreamedApplies`` are open; otherwise nil, and the
    /// job stages its pages. A connection that cannot be opened also gives nil (the pool may still
    /// serve the staged path), with a warning.
    package func beginStreamedApply(job: String, tenant: String, now: Int64) async throws(StoreError)
        -> (any StreamedApply)?
    {
        let limit = configuration.maximumStreamedApplies
        // The common case (a tenant with contacts) asks the pool, without a connection of its own.
        guard limit > 0, try await !Self.hasContacts(tenant: tenant, session: session) else { return nil }
        let admitted = streamedApplies.withLock { open in
            guard open < limit else { return false }
            open += 1
            return true
        }
        guard admitted else { return nil }
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                on: Self.eventLoops.any(),
                configuration: try configuration.connectionConfiguration(),
                id: 2,
                logger: logger
            )
        } catch {
            streamedApplies.withLock { $0 -= 1 }
            logger.warning(
                "a first sync stages its pages instead of writing them as they come: no connection of its own",
                metadata: [StoreLogKey.database.rawValue: "\(configuration)", "error": "\(String(reflecting: error))"]
            )
            return nil
        }
        let apply = PostgresStreamedApply(store: self, connection: connection, job: job, tenant: tenant, now: now)
        do {
            if try await apply.begin() { return apply }
            await apply.discard()
            return nil
        } catch {
            await apply.discard()
            throw error
        }
    }
}

/// ``StreamedApply`` on PostgreSQL: one transaction on a connection of its own (the pool stays
/// free for readers), from the first page to the commit. Each page's new contacts go in with one
/// COPY; a contact this run wrote before (a listing that repeats someone) is upserted instead.
///
/// The contacts' three indexes and the heap are written while the directory is still being read,
/// so the commit only logs the change feed and saves the tenant's row. Other sessions never see
/// the rows before the commit. A run that fails or is cancelled rolls back; one whose process
/// dies loses its connection, and PostgreSQL rolls back.
actor PostgresStreamedApply: StreamedApply {
    private let store: PostgresStore
    private let connection: PostgresConnection
    private let session: SQLSession
    private let job: String
    private let tenant: String
    private let now: Int64
    /// Times the apply from its first page to its commit.
    private let log: ApplyLog
    /// Hashes of the ids written so far. A contact whose hash is new is new (COPY); one whose hash
    /// was seen is most likely written again (upsert, which is right either way).
    private var seen = Set<Int>()
    /// Distinct contacts inserted so far.
    private var inserted = 0
    /// The first failure: every later call throws it, and the commit never happens.
    private var failure: StoreError?
    /// Whether the connection is still held (and counted in the store's open streamed applies).
    private var holdsConnection = true
    /// A write's failures, said plainly when another transaction holds or committed contacts of the
    /// tenant with the same ids: a lock wait given up on (55P03), or a unique violation (23505).
    private let rivalWrites: [String: StoreError]

    init(store: PostgresStore, connection: PostgresConnection, job: String, tenant: String, now: Int64) {
        self.store = store
        self.connection = connection
        self.session = SQLSession(target: .connection(connection), logger: store.logger)
        self.job = job
        self.tenant = tenant
        self.now = now
        self.log = ApplyLog(logger: store.logger, tenant: tenant, job: job)
        let rival = StoreError(
            .conflict,
            "another transaction is writing or wrote contacts of tenant \(tenant) with the same ids (a replica "
                + "that lost this job's lease and still runs?); nothing was applied: start the sync again once it ends"
        )
        self.rivalWrites = ["55P03": rival, "23505": rival]
    }

    deinit {
        // Neither committed nor discarded (a caller that lost it): close the connection, which
        // rolls the transaction back.
        guard holdsConnection else { return }
        let (connection, store) = (connection, store)
        store.streamedApplies.withLock { $0 -= 1 }
        Task { try? await connection.close() }
    }

    /// Opens the transaction; false when the tenant has contacts (the job stages instead): checked
    /// again inside it, since the check on the pool came before.
    fileprivate func begin() async throws(StoreError) -> Bool {
        try await session.rows("BEGIN")
        // The run's own bounds (its duration limit, the job's lease) govern how long it stays open;
        // a wait for a throttled directory must not end it.
        try await session.rows("SET LOCAL idle_in_transaction_session_timeout = 0")
        // A write that waits for another transaction's rows with the same ids gives up in time.
        let wait = store.configuration.streamedApplyLockWait / .milliseconds(1)
        try await session.rows("SET LOCAL lock_timeout = \(max(1, Int(wait)))")
        // Room to sort the change feed's ids in memory at the commit.
        try await session.rows("SET LOCAL work_mem = '64MB'")
        return try await !PostgresStore.hasContacts(tenant: tenant, session: session)
    }

    func write(_ contacts: [ContactRecord]) async throws(StoreError) {
        try checkUsable()
        // The page's last version of each contact, ids compared byte for byte as the table does
        // (Swift's String equality would merge canonically equivalent ids).
        let keys = contacts.map { Array($0.id.utf8) }
        var last: [[UInt8]: Int] = [:]
        for (index, key) in keys.enumerated() { last[key] = index }
        let stamp = String(now)
        var fresh: [[String?]] = []
        var again: [ContactRecord] = []
        fresh.reserveCapacity(last.count)
        for (index, contact) in contacts.enumerated() where last[keys[index]] == index {
            if seen.insert(keys[index].hashValue).inserted {
                fresh.append([tenant, contact.id] + ContactColumns.values(of: contact) + [stamp])
            } else {
                again.append(contact)
            }
        }
        do {
            if !fresh.isEmpty {
                try await session.copy(
                    into: "contacts",
                    columns: ["tenant_id", "id"] + ContactColumns.fields + ["changed_at"],
                    rows: fresh,
                    violations: rivalWrites
                )
                inserted += fresh.count
            }
            for contact in again {
                let values: [SQLValue] =
                    [.text(tenant), .text(contact.id)] + ContactColumns.values(of: contact).map { .text($0) }
                    + [.integer(now)]
                let row = try await session.rows(PostgresApplySQL.upsert, values, violations: rivalWrites).first
                if try row?.bool(0) ?? false { inserted += 1 }
            }
        } catch {
            throw fail(error)
        }
    }

    func commit(deltaLink: String?) async throws(StoreError) -> ApplyCounts {
        try checkUsable()
        let counts: ApplyCounts
        do throws(StoreError) {
            // The commit waits for locks as long as any apply does (the write's bound is for rival rows).
            try await session.rows("SET LOCAL lock_timeout = 0")
            // The tenant's row lock, taken only now: applies of one tenant take turns at the commit,
            // and the tenant's other writes are not held up while the directory is read.
            try await PostgresStore.lockTenant(tenant, session: session)
            let logsChanges = store.configuration.logsChanges
            // Every contact of the tenant, logged as added (or only counted).
            let total = try await PostgresStore.write(
                PostgresApplySQL.loggedAdditions,
                PostgresApplySQL.countContacts,
                logsChanges ? [.text(tenant), .integer(now)] : [.text(tenant)],
                tenant: tenant,
                logsChanges: logsChanges,
                session: session
            )
            guard total == inserted else {
                throw StoreError(
                    .conflict,
                    "the contacts of tenant \(tenant) changed from elsewhere during its first sync (\(total) found, "
                        + "\(inserted) written by it); nothing was applied: start the sync again"
                )
            }
            counts = ApplyCounts(added: total, totalAfter: total)
            try await PostgresStore.recordApply(
                counts,
                tenant: tenant,
                deltaLink: deltaLink,
                logsChanges: logsChanges,
                session: session
            )
            try await store.holdLease(job: job, session: session)
            try await session.rows("COMMIT")
        } catch {
            throw fail(error)
        }
        await release(rollingBack: false)
        store.applied(counts, tenant: tenant)
        _ = log.committed(counts)
        return counts
    }

    func discard() async {
        await release(rollingBack: true)
    }

    private func checkUsable() throws(StoreError) {
        if let failure { throw failure }
        guard holdsConnection else {
            throw StoreError(.database, "this streamed apply has ended; begin another; this is a bug in the caller")
        }
    }

    /// Records `error` as the apply's failure.
    private func fail(_ error: StoreError) -> StoreError {
        failure = error
        return error
    }

    private func release(rollingBack: Bool) async {
        guard holdsConnection else { return }
        holdsConnection = false
        if rollingBack { _ = try? await session.rows("ROLLBACK") }
        try? await connection.close()
        store.streamedApplies.withLock { $0 -= 1 }
    }
}
