// Sync job records.
extension SQLiteStore {
    static let jobColumns = """
        id, tenant_id, scope_kind, scope_group_id, scope_group_name, mode, state, phase, fetched, added, updated,
        removed, unchanged, total, error_code, error_message, created_at, started_at, finished_at, started_by,
        triggered_by, dry_run, acknowledged_removals, note, photos_checked, photos_written, photos_removed,
        photos_failed, photos_skipped
        """

    package func createJob(_ job: SyncJobRecord) async throws(StoreError) {
        try await pool.write { connection throws(StoreError) in
            if let active = try Self.activeJob(tenant: job.tenantID, connection: connection) {
                throw StoreError(
                    .conflict,
                    "tenant \(job.tenantID) already has an active sync job \(active.id) (\(active.state.rawValue)); "
                        + "wait for it or cancel it first"
                )
            }
            let insert = try connection.cached(
                """
                INSERT INTO sync_jobs (id, tenant_id, scope_kind, mode, state, created_at, triggered_by)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """
            )
            insert.bind(job.id, at: 1)
            insert.bind(job.tenantID, at: 2)
            insert.bind(job.scope.kind, at: 3)
            insert.bind(job.mode.rawValue, at: 4)
            insert.bind(job.state.rawValue, at: 5)
            insert.bind(job.createdAt, at: 6)
            insert.bind(job.trigger.rawValue, at: 7)
            try insert.run()
            try Self.saveJob(job, connection: connection)
        }
    }

    package func updateJob(_ job: SyncJobRecord) async throws(StoreError) {
        try await pool.write { connection throws(StoreError) in try Self.saveJob(job, connection: connection) }
    }

    package func job(id: String) async throws(StoreError) -> SyncJobRecord? {
        try await pool.read { connection throws(StoreError) in
            let select = try connection.cached("SELECT \(Self.jobColumns) FROM sync_jobs WHERE id = ?1")
            select.bind(id, at: 1)
            return try select.step() ? try Self.readJob(select) : nil
        }
    }

    package func jobs(tenant: String, limit: Int) async throws(StoreError) -> [SyncJobRecord] {
        try await pool.read { connection throws(StoreError) in
            try Self.jobs(tenant: tenant, limit: limit, connection: connection)
        }
    }

    private static func jobs(tenant: String, limit: Int, connection: Connection) throws(StoreError) -> [SyncJobRecord] {
        let select = try connection.cached(
            "SELECT \(jobColumns) FROM sync_jobs WHERE tenant_id = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2"
        )
        select.bind(tenant, at: 1)
        select.bind(max(0, limit), at: 2)
        var jobs: [SyncJobRecord] = []
        while try select.step() { jobs.append(try readJob(select)) }
        return jobs
    }

    /// One read transaction, on one reader thread: a status call waits for one store hop, not four.
    package func status(tenant id: String, recentJobs: Int) async throws(StoreError) -> TenantStatus? {
        try await pool.read { connection throws(StoreError) in
            guard let tenant = try Self.tenant(id: id, connection: connection) else { return nil }
            return TenantStatus(
                tenant: tenant,
                activeJob: try Self.activeJob(tenant: id, connection: connection),
                recentJobs: try Self.jobs(tenant: id, limit: recentJobs, connection: connection),
                contactCount: try Self.count(tenant: id, connection: connection)
            )
        }
    }

    package func activeJob(tenant: String) async throws(StoreError) -> SyncJobRecord? {
        try await pool.read { connection throws(StoreError) in
            try Self.activeJob(tenant: tenant, connection: connection)
        }
    }

    package func interruptActiveJobs(now: Int64) async throws(StoreError) -> [String] {
        try await pool.write { connection throws(StoreError) in
            let select = try connection.cached(
                "SELECT id FROM sync_jobs WHERE state IN ('queued', 'running') ORDER BY id"
            )
            var ids: [String] = []
            while try select.step() { ids.append(select.string(0) ?? "") }
            let update = try connection.cached(
                """
                UPDATE sync_jobs SET state = 'interrupted', finished_at = ?1, error_code = 'INTERRUPTED',
                    error_message = 'the server stopped during the run; start a new sync'
                WHERE state IN ('queued', 'running')
                """
            )
            update.bind(now, at: 1)
            try update.run()
            return ids
        }
    }

    private static func activeJob(tenant: String, connection: Connection) throws(StoreError) -> SyncJobRecord? {
        let select = try connection.cached(
            "SELECT \(jobColumns) FROM sync_jobs WHERE tenant_id = ?1 AND state IN ('queued', 'running')"
        )
        select.bind(tenant, at: 1)
        return try select.step() ? try readJob(select) : nil
    }

    private static func saveJob(_ job: SyncJobRecord, connection: Connection) throws(StoreError) {
        let update = try connection.cached(
            """
            UPDATE sync_jobs SET scope_kind = ?2, scope_group_id = ?3, scope_group_name = ?4, mode = ?5, state = ?6,
                phase = ?7, fetched = ?8, added = ?9, updated = ?10, removed = ?11, unchanged = ?12, total = ?13,
                error_code = ?14, error_message = ?15, started_at = ?16, finished_at = ?17, started_by = ?18,
                triggered_by = ?19, dry_run = ?20, acknowledged_removals = ?21, note = ?22,
                photos_checked = ?23, photos_written = ?24, photos_removed = ?25, photos_failed = ?26,
                photos_skipped = ?27
            WHERE id = ?1
            """
        )
        update.bind(job.id, at: 1)
        update.bind(job.scope.kind, at: 2)
        if case .group(let id, let name) = job.scope {
            update.bind(id, at: 3)
            update.bind(name, at: 4)
        }
        update.bind(job.mode.rawValue, at: 5)
        update.bind(job.state.rawValue, at: 6)
        update.bind(job.phase?.rawValue, at: 7)
        update.bind(job.fetched, at: 8)
        update.bind(job.added, at: 9)
        update.bind(job.updated, at: 10)
        update.bind(job.removed, at: 11)
        update.bind(job.unchanged, at: 12)
        if let total = job.total { update.bind(total, at: 13) }
        update.bind(job.errorCode, at: 14)
        update.bind(job.errorMessage, at: 15)
        if let startedAt = job.startedAt { update.bind(startedAt, at: 16) }
        if let finishedAt = job.finishedAt { update.bind(finishedAt, at: 17) }
        update.bind(job.startedBy, at: 18)
        update.bind(job.trigger.rawValue, at: 19)
        update.bind(job.dryRun, at: 20)
        update.bind(job.acknowledgedRemovals, at: 21)
        update.bind(job.note, at: 22)
        if let photos = job.photos {
            for (offset, count) in [photos.checked, photos.written, photos.removed, photos.failed, photos.skipped]
                .enumerated()
            {
                update.bind(count, at: Int32(23 + offset))
            }
        }
        do {
            try update.run()
        } catch {
            throw StoreError(
                .conflict,
                "cannot save job \(job.id): \(error.message); a tenant has at most one queued or running job"
            )
        }
        guard connection.changes == 1 else {
            throw StoreError(.notFound, "no sync job with id \(job.id); create it with createJob first")
        }
    }

    static func readJob(_ row: Statement) throws(StoreError) -> SyncJobRecord {
        var job = SyncJobRecord(
            id: row.string(0) ?? "",
            tenantID: row.string(1) ?? "",
            scope: try .from(kind: row.string(2), groupID: row.string(3), groupName: row.string(4)),
            mode: try .stored(row.string(5), column: "sync_jobs.mode"),
            createdAt: row.int64(16),
            startedBy: row.string(19),
            trigger: try .stored(row.string(20), column: "sync_jobs.triggered_by"),
            dryRun: row.bool(21),
            acknowledgedRemovals: row.bool(22)
        )
        job.state = try .stored(row.string(6), column: "sync_jobs.state")
        job.phase = try row.string(7).map { phase throws(StoreError) in try .stored(phase, column: "sync_jobs.phase") }
        job.fetched = row.int(8)
        job.added = row.int(9)
        job.updated = row.int(10)
        job.removed = row.int(11)
        job.unchanged = row.int(12)
        job.total = row.optionalInt64(13).map(Int.init)
        job.errorCode = row.string(14)
        job.errorMessage = row.string(15)
        job.startedAt = row.optionalInt64(17)
        job.finishedAt = row.optionalInt64(18)
        job.note = row.string(23)
        if let checked = row.optionalInt64(24) {
            job.photos = PhotoCounts(
                checked: Int(checked),
                written: row.int(25),
                removed: row.int(26),
                failed: row.int(27),
                skipped: row.int(28)
            )
        }
        return job
    }
}
