internal import Logging
package import RosterStore
internal import Synchronization

// Staging a job's rows page by page, and the all-or-nothing apply step.
extension PostgresStore {
    package func stage(job: String, contacts: [ContactRecord], removals: [String]) async throws(StoreError) {
        guard !contacts.isEmpty || !removals.isEmpty else { return }
        try await transaction { session throws(StoreError) in
            // COPY, not multi-row INSERTs: no parameter per value, one stream per page. Rows are
            // appended in arrival order (seq only grows), so a later version wins at the apply.
            if !contacts.isEmpty {
                try await session.copy(
                    into: "staging",
                    columns: ["job_id", "contact_id"] + ContactColumns.fields,
                    rows: contacts.map { [job, $0.id] + ContactColumns.values(of: $0) }
                )
            }
            if !removals.isEmpty {
                try await session.rows(
                    """
                    INSERT INTO staging (job_id, contact_id, removal)
                    SELECT $1, removed.id, true FROM unnest($2::text[]) WITH ORDINALITY AS removed(id, n) ORDER BY n
                    """,
                    [.text(job), .textArray(removals)]
                )
            }
        }
    }

    package func apply(job: String, tenant: String, kind: ApplyKind, now: Int64, deltaLink: String?)
        async throws(StoreError) -> ApplyCounts
    {
        switch try await apply(job: job, tenant: tenant, kind: kind, now: now, deltaLink: deltaLink, limits: .none) {
        case .applied(let counts), .refused(let counts): counts
        }
    }

    package func apply(
        job: String,
        tenant: String,
        kind: ApplyKind,
        now: Int64,
        deltaLink: String?,
        limits: ApplyLimits
    ) async throws(StoreError) -> ApplyOutcome {
        let log = ApplyLog(logger: logger, tenant: tenant, job: job)
        let refused = RefusedCounts()
        do {
            let counts = try await transaction { session throws(StoreError) -> ApplyCounts in
                let counts = try await Self.apply(
                    job: job,
                    tenant: tenant,
                    kind: kind,
                    now: now,
                    deltaLink: deltaLink,
                    limits: limits,
                    refused: refused,
                    logsChanges: configuration.logsChanges,
                    session: session
                )
                try await holdLease(job: job, session: session)
                return counts
            }
            applied(counts, tenant: tenant)
            return log.committed(counts)
        } catch let error where error.code == .refused {
            // The transaction rolled back: nothing was written.
            return log.refused(refused.counts ?? ApplyCounts())
        }
    }

    /// The apply step inside the caller's transaction; breaking `limits` sets `refused.counts` and throws
    /// `.refused` to roll the transaction back.
    private static func apply(
        job: String,
        tenant: String,
        kind: ApplyKind,
        now: Int64,
        deltaLink: String?,
        limits: ApplyLimits,
        refused: RefusedCounts,
        logsChanges: Bool,
        session: SQLSession
    ) async throws(StoreError) -> ApplyCounts {
        try await lockTenant(tenant, session: session)
        func write(_ logged: String, _ unlogged: String, _ values: [SQLValue]) async throws(StoreError) -> Int {
            try await Self.write(logged, unlogged, values, tenant: tenant, logsChanges: logsChanges, session: session)
        }
        let values: [SQLValue] = [.text(tenant), .integer(now)]
        var counts = ApplyCounts()
        if try await !hasContacts(tenant: tenant, session: session) {
            // Nothing to remove, update or compare: every staged contact is added. The tenant's
            // row lock keeps it empty until this commits (applies of one tenant take turns).
            // Sorted in memory, as in loadWorkTable (the default 4 MB spills 100,000 rows to disk).
            try await session.rows("SET LOCAL work_mem = '64MB'")
            counts.added = try await write(
                PostgresApplySQL.loggedInsertIntoEmpty,
                PostgresApplySQL.insertIntoEmpty,
                values + [.text(job)]
            )
            counts.totalAfter = counts.added
        } else {
            try await loadWorkTable(job: job, session: session)
            let upserts = try await session.integer(PostgresApplySQL.countUpserts)
            // Removals first, then updates, then inserts: each statement sees only the rows it concerns.
            counts.removed = try await write(
                PostgresApplySQL.loggedDelete(kind),
                PostgresApplySQL.delete(kind),
                logsChanges ? values : [.text(tenant)]
            )
            counts.updated = try await write(PostgresApplySQL.loggedUpdate, PostgresApplySQL.update, values)
            counts.added = try await write(PostgresApplySQL.loggedInsert, PostgresApplySQL.insert, values)
            counts.unchanged = upserts - counts.updated - counts.added
            counts.totalAfter = try await count(tenant: tenant, session: session)
        }
        if limits.refuses(counts) {
            refused.counts = counts
            throw StoreError(
                .refused,
                "the apply would remove \(counts.removed) contacts, beyond its limits; rolled back"
            )
        }
        try await session.rows(PostgresApplySQL.dropStaging, [.text(job)])
        try await recordApply(counts, tenant: tenant, deltaLink: deltaLink, logsChanges: logsChanges, session: session)
        return counts
    }

    /// Locks the tenant's row (not a table): applies of one tenant take turns; readers never wait.
    /// Throws when there is no such tenant.
    static func lockTenant(_ tenant: String, session: SQLSession) async throws(StoreError) {
        guard try await session.first("SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE", [.text(tenant)]) != nil
        else { throw noTenant(tenant) }
    }

    /// Whether the tenant has any contact (as `session` sees them).
    static func hasContacts(tenant: String, session: SQLSession) async throws(StoreError) -> Bool {
        try await session.first("SELECT 1 FROM contacts WHERE tenant_id = $1 LIMIT 1", [.text(tenant)]) != nil
    }

    /// One write of an apply, counting its rows: `logged` appends what it wrote to the change feed in
    /// the same statement, and the tenant's newest number then moves on before the next write
    /// numbers its own; without the feed, `unlogged` only writes (or counts).
    static func write(
        _ logged: String,
        _ unlogged: String,
        _ values: [SQLValue],
        tenant: String,
        logsChanges: Bool,
        session: SQLSession
    ) async throws(StoreError) -> Int {
        guard logsChanges else { return try await session.integer(unlogged, values) }
        let count = try await session.integer(logged, values)
        if count > 0 { try await session.rows(PostgresApplySQL.advanceChanges, [.text(tenant), .int(count)]) }
        return count
    }

    /// What every apply saves on its tenant's row, after its writes and inside its transaction (the
    /// news of changed contacts reaches the other replicas when it commits).
    static func recordApply(
        _ counts: ApplyCounts,
        tenant: String,
        deltaLink: String?,
        logsChanges: Bool,
        session: SQLSession
    ) async throws(StoreError) {
        if logsChanges && counts.changedAny { try await notify(.contactsChanged(tenant: tenant), session: session) }
        if counts.changedAny {
            // In-memory search indexes of the tenant's contacts compare this to know they are stale.
            try await session.rows(
                "UPDATE tenants SET contacts_generation = contacts_generation + 1 WHERE id = $1",
                [.text(tenant)]
            )
        }
        // Set by every apply, changes or not: a count an older replica left stale while replicas
        // were upgraded one at a time (its applies do not keep it) is right again after the next.
        try await session.rows(
            "UPDATE tenants SET contact_count = $2 WHERE id = $1 AND contact_count <> $2",
            [.text(tenant), .int(counts.totalAfter)]
        )
        if let deltaLink {
            try await session.rows(
                "UPDATE tenants SET delta_link = $2 WHERE id = $1",
                [.text(tenant), .text(deltaLink)]
            )
        }
    }

    /// After an apply committed: tells the change feed's waiters, and refreshes the planner's
    /// statistics when much changed.
    func applied(_ counts: ApplyCounts, tenant: String) {
        if configuration.logsChanges && counts.changedAny { changeSignal.advance(tenant: tenant) }
        if Self.rewroteMuch(counts) { refreshStatistics() }
    }

    package func plan(job: String, tenant: String, kind: ApplyKind, sampleLimit: Int = 20) async throws(StoreError)
        -> ApplyPlan
    {
        // In a transaction only for the work table, which is dropped at its end; nothing else is written.
        try await transaction { session throws(StoreError) in
            let limit = SQLValue.int(max(0, sampleLimit))
            func sample(_ sql: String) async throws(StoreError) -> [ApplyPlan.Entry] {
                var entries: [ApplyPlan.Entry] = []
                for row in try await session.rows(sql, [.text(tenant), limit]) {
                    entries.append(
                        .init(id: try row.string(0) ?? "", displayName: try row.string(1), mail: try row.string(2))
                    )
                }
                return entries
            }
            try await Self.loadWorkTable(job: job, session: session)
            var counts = ApplyCounts()
            counts.added = try await session.integer(PostgresApplySQL.countAdds, [.text(tenant)])
            counts.updated = try await session.integer(PostgresApplySQL.countUpdates, [.text(tenant)])
            counts.removed = try await session.integer(PostgresApplySQL.countRemovals(kind), [.text(tenant)])
            counts.unchanged = try await session.integer(PostgresApplySQL.countUpserts) - counts.added - counts.updated
            counts.totalAfter =
                try await Self.count(tenant: tenant, session: session) - counts.removed + counts.added
            return ApplyPlan(
                counts: counts,
                toAdd: try await sample(PostgresApplySQL.sampleAdds),
                toUpdate: try await sample(PostgresApplySQL.sampleUpdates),
                toRemove: try await sample(PostgresApplySQL.sampleRemovals(kind))
            )
        }
    }

    /// The apply's last statement: commits only while the job is still this replica's, and extends
    /// its lease (the apply may have outlasted it). When another replica has interrupted the job
    /// meanwhile, throws and the whole apply rolls back. A job id without a job record (store tests
    /// that stage and apply directly) is not checked.
    func holdLease(job: String, session: SQLSession) async throws(StoreError) {
        let held = try await session.first(
            """
            UPDATE sync_jobs SET lease_expires_at = \(Self.databaseNow) + $3
            WHERE id = $1 AND owner = $2 AND state IN ('queued', 'running') RETURNING 1
            """,
            [.text(job), .text(replicaID), .integer(leaseMilliseconds)]
        )
        guard held == nil else { return }
        let stored = try await session.first("SELECT \(Self.jobColumns) FROM sync_jobs WHERE id = $1", [.text(job)])
            .map { row throws(StoreError) in try Self.readJob(row) }
        if let stored { throw Self.lostLease(stored) }
    }

    package func discardStaging(job: String) async throws(StoreError) {
        try await session.rows(PostgresApplySQL.dropStaging, [.text(job)])
    }

    package func cleanStaging(except jobs: Set<String>) async throws(StoreError) -> Int {
        try await session.integer(
            """
            WITH gone AS (
                DELETE FROM staging WHERE NOT (job_id = ANY($1::text[]))
                    -- Another replica's job keeps its staging until that job ends or is interrupted.
                    AND NOT EXISTS (
                        SELECT 1 FROM sync_jobs WHERE sync_jobs.id = staging.job_id
                            AND state IN ('queued', 'running') AND owner <> $2
                    )
                RETURNING 1
            )
            SELECT count(*) FROM gone
            """,
            [.textArray(Array(jobs)), .text(replicaID)]
        )
    }

    /// Whether an apply changed enough of its tenant (a thousand contacts and a tenth of them) that
    /// the planner's statistics are likely stale.
    static func rewroteMuch(_ counts: ApplyCounts) -> Bool {
        let changed = counts.added + counts.updated + counts.removed
        return changed >= 1_000 && changed * 10 >= counts.totalAfter
    }

    /// Refreshes the planner's statistics of contacts and changes, without making the sync wait.
    /// Autovacuum would within a minute; until then a page of contacts right after a first sync
    /// was planned as a sort of the tenant's 100,000 rows (about 180 ms instead of under 1).
    /// One refresh at a time; a failure only means autovacuum's turn comes first.
    func refreshStatistics() {
        statisticsRefresh.withLock { refresh in
            guard refresh == nil else { return }
            refresh = Task {
                do {
                    try await session.rows("ANALYZE contacts, contact_changes")
                } catch {
                    logger.debug("statistics not refreshed after a large apply", metadata: ["error": "\(error)"])
                }
                statisticsRefresh.withLock { $0 = nil }
            }
        }
    }

    /// Fills this transaction's `apply_rows` with the job's staging, one row per contact.
    private static func loadWorkTable(job: String, session: SQLSession) async throws(StoreError) {
        // Room to sort 100,000 staged rows in memory (the default 4 MB spills them to disk), and a
        // small sample for the work table's statistics: the planner needs its size, not a fine
        // histogram (the default sample made ANALYZE 0.2–0.3 s of a 100,000-row apply).
        try await session.rows("SET LOCAL work_mem = '64MB'")
        try await session.rows("SET LOCAL default_statistics_target = 10")
        try await session.rows(PostgresApplySQL.createWorkTable)
        try await session.rows(PostgresApplySQL.load, [.text(job)])
        // Temporary tables are never auto-analyzed: without statistics the planner guesses their size.
        try await session.rows("ANALYZE apply_rows")
    }
}
