internal import Logging

// Staging a job's rows page by page, and the all-or-nothing apply step.
extension SQLiteStore {
    package func stage(job: String, contacts: [ContactRecord], removals: [String]) async throws(StoreError) {
        try await pool.write { connection throws(StoreError) in
            // One prepared statement per kind, reused for every row; the job id is bound once.
            // Rows are appended in arrival order (see the staging table in RosterSchema).
            let upsert = try connection.cached(ApplySQL.stageUpsert)
            upsert.bind(job, at: 1)
            for contact in contacts {
                upsert.bind(contact.id, at: 2)
                ContactColumns.bind(contact, to: upsert, from: 3)
                try upsert.run()
                upsert.reset()
            }
            let removal = try connection.cached(ApplySQL.stageRemoval)
            removal.bind(job, at: 1)
            for id in removals {
                removal.bind(id, at: 2)
                try removal.run()
                removal.reset()
            }
        }
    }

    package func apply(job: String, tenant: String, kind: ApplyKind, now: Int64, deltaLink: String?)
        async throws(StoreError)
        -> ApplyCounts
    {
        let counts = try await pool.write { connection throws(StoreError) in
            try Self.apply(
                job: job,
                tenant: tenant,
                kind: kind,
                now: now,
                deltaLink: deltaLink,
                logsChanges: self.logsChanges,
                connection: connection
            )
        }
        signalChanges(counts, tenant: tenant)
        return counts
    }

    package func apply(
        job: String,
        tenant: String,
        kind: ApplyKind,
        now: Int64,
        deltaLink: String?,
        limits: ApplyLimits
    )
        async throws(StoreError) -> ApplyOutcome
    {
        let refused = RefusedCounts()
        let log = ApplyLog(logger: logger, tenant: tenant, job: job)
        do {
            let counts = try await pool.write { connection throws(StoreError) in
                try Self.apply(
                    job: job,
                    tenant: tenant,
                    kind: kind,
                    now: now,
                    deltaLink: deltaLink,
                    limits: limits,
                    refused: refused,
                    logsChanges: self.logsChanges,
                    connection: connection
                )
            }
            signalChanges(counts, tenant: tenant)
            return log.committed(counts)
        } catch let error where error.code == .refused {
            // The transaction rolled back: nothing was written.
            return log.refused(refused.counts ?? ApplyCounts())
        }
    }

    /// Wakes the tenant's change-feed readers after an apply that committed changes.
    private func signalChanges(_ counts: ApplyCounts, tenant: String) {
        if logsChanges && counts.changedAny { changeSignal.advance(tenant: tenant) }
    }

    /// The apply step on `connection`, inside the caller's transaction.
    static func apply(
        job: String,
        tenant: String,
        kind: ApplyKind,
        now: Int64,
        deltaLink: String?,
        limits: ApplyLimits = .none,
        refused: RefusedCounts? = nil,
        logsChanges: Bool,
        connection: Connection
    ) throws(StoreError) -> ApplyCounts {
        let exists = try connection.cached("SELECT 1 FROM tenants WHERE id = ?1")
        exists.bind(tenant, at: 1)
        guard try exists.step() else { throw noTenant(tenant) }

        try loadWorkTable(job: job, connection: connection)
        var counts = ApplyCounts()
        let upserts = try run(ApplySQL.countUpserts, tenant: tenant, job: job, connection: connection) { $0.int(0) }
        // Removals first, then updates, then inserts: each statement sees only the rows it concerns.
        // Each is logged to the change feed just before, with the same predicate.
        func write(_ sql: String, logging log: String) throws(StoreError) -> Int {
            if logsChanges {
                let logged = try execute(log, tenant: tenant, job: job, now: now, connection: connection)
                if logged > 0 { try advanceChanges(tenant: tenant, by: logged, connection: connection) }
            }
            return try execute(sql, tenant: tenant, job: job, now: now, connection: connection)
        }
        counts.removed = try write(ApplySQL.delete(kind), logging: ChangeFeedSQL.logRemovals(kind))
        counts.updated = try write(ApplySQL.update, logging: ChangeFeedSQL.logUpdates)
        counts.added = try write(ApplySQL.insert, logging: ChangeFeedSQL.logAdds)
        counts.unchanged = upserts - counts.updated - counts.added
        counts.totalAfter = try count(tenant: tenant, connection: connection)
        if limits.refuses(counts) {
            // Thrown to roll the transaction back; `apply(…limits:)` turns it into `.refused`.
            refused?.counts = counts
            throw StoreError(
                .refused,
                "the apply would remove \(counts.removed) contacts, beyond its limits; rolled back"
            )
        }
        if try run(ApplySQL.otherJobsStaged, tenant: tenant, job: job, connection: connection, read: { $0.bool(0) }) {
            _ = try execute(ApplySQL.dropStaging, tenant: tenant, job: job, now: now, connection: connection)
        } else {
            try connection.execute(ApplySQL.truncateStaging)
        }
        try connection.execute(ApplySQL.clearWorkTable)
        if counts.added + counts.updated + counts.removed > 0 {
            // In-memory search indexes of the tenant's contacts compare this to know they are stale.
            let bump = try connection.cached(
                "UPDATE tenants SET contacts_generation = contacts_generation + 1 WHERE id = ?1"
            )
            bump.bind(tenant, at: 1)
            try bump.run()
        }
        if let deltaLink {
            let save = try connection.cached("UPDATE tenants SET delta_link = ?2 WHERE id = ?1")
            save.bind(tenant, at: 1)
            save.bind(deltaLink, at: 2)
            try save.run()
        }
        return counts
    }

    package func plan(job: String, tenant: String, kind: ApplyKind, sampleLimit: Int = 20) async throws(StoreError)
        -> ApplyPlan
    {
        try await pool.readBulk { connection throws(StoreError) in
            func sample(_ sql: String) throws(StoreError) -> [ApplyPlan.Entry] {
                let statement = try connection.cached(sql)
                statement.bind(tenant, at: 1)
                statement.bind(job, at: 2)
                statement.bind(max(0, sampleLimit), at: 3)
                var entries: [ApplyPlan.Entry] = []
                while try statement.step() {
                    entries.append(
                        .init(
                            id: statement.string(0) ?? "",
                            displayName: statement.string(1),
                            mail: statement.string(2)
                        )
                    )
                }
                return entries
            }
            func count(_ sql: String) throws(StoreError) -> Int {
                try Self.run(sql, tenant: tenant, job: job, connection: connection) { $0.int(0) }
            }
            try Self.loadWorkTable(job: job, connection: connection)
            defer { try? connection.execute(ApplySQL.clearWorkTable) }
            var counts = ApplyCounts()
            counts.added = try count(ApplySQL.countAdds)
            counts.updated = try count(ApplySQL.countUpdates)
            counts.removed = try count(ApplySQL.countRemovals(kind))
            counts.unchanged = try count(ApplySQL.countUpserts) - counts.added - counts.updated
            counts.totalAfter = try Self.count(tenant: tenant, connection: connection) - counts.removed + counts.added
            return ApplyPlan(
                counts: counts,
                toAdd: try sample(ApplySQL.sampleAdds),
                toUpdate: try sample(ApplySQL.sampleUpdates),
                toRemove: try sample(ApplySQL.sampleRemovals(kind))
            )
        }
    }

    package func discardStaging(job: String) async throws(StoreError) {
        try await pool.write { connection throws(StoreError) in
            _ = try Self.execute(ApplySQL.dropStaging, tenant: "", job: job, now: 0, connection: connection)
        }
    }

    package func cleanStaging(except jobs: Set<String>) async throws(StoreError) -> Int {
        try await pool.write { connection throws(StoreError) in
            let select = try connection.cached("SELECT DISTINCT job_id FROM staging")
            var stale: [String] = []
            while try select.step() {
                if let job = select.string(0), !jobs.contains(job) { stale.append(job) }
            }
            var deleted = 0
            for job in stale {
                deleted += try Self.execute(ApplySQL.dropStaging, tenant: "", job: job, now: 0, connection: connection)
            }
            return deleted
        }
    }

    /// Fills the connection's `temp.apply_rows` with the job's staging, one row per contact.
    private static func loadWorkTable(job: String, connection: Connection) throws(StoreError) {
        try connection.execute(ApplySQL.createWorkTable)
        try connection.execute(ApplySQL.clearWorkTable)
        _ = try execute(ApplySQL.load, tenant: "", job: job, now: 0, connection: connection)
    }

    /// Runs a statement taking ?1 tenant, ?2 job, ?3 time and returns the rows it changed.
    /// (Binding a parameter a statement does not use is a no-op: SQLite answers SQLITE_RANGE.)
    private static func execute(_ sql: String, tenant: String, job: String, now: Int64, connection: Connection)
        throws(StoreError) -> Int
    {
        let statement = try connection.cached(sql)
        statement.bind(tenant, at: 1)
        statement.bind(job, at: 2)
        statement.bind(now, at: 3)
        try statement.run()
        return connection.changes
    }

    /// Runs a one-row query taking ?1 tenant and ?2 job and reads its row with `read`.
    private static func run<T>(
        _ sql: String,
        tenant: String,
        job: String,
        connection: Connection,
        read: (Statement) -> T
    ) throws(StoreError) -> T {
        let statement = try connection.cached(sql)
        statement.bind(tenant, at: 1)
        statement.bind(job, at: 2)
        guard try statement.step() else {
            throw StoreError(.sqlite, "the query \(sql.prefix(60)) returned no row; this is a bug in the store")
        }
        return read(statement)
    }
}
