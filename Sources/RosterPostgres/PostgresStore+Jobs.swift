package import RosterStore

// Sync job records. At most one queued or running job per tenant: the unique partial index
// sync_jobs_one_active enforces it, so two replicas racing to start a job cannot both win. Each
// job is leased to the replica that created it (PostgresStore+Replicas.swift): only that replica
// writes it, and once its lease has run out any replica interrupts it.
extension PostgresStore {
    static let jobColumns = """
        id, tenant_id, scope_kind, scope_group_id, scope_group_name, mode, state, phase, fetched, added, updated,
        removed, unchanged, total, error_code, error_message, created_at, started_at, finished_at, started_by,
        triggered_by, dry_run, acknowledged_removals, note, photos_checked, photos_written, photos_removed,
        photos_failed, photos_skipped
        """

    /// The columns `saveJob` writes after the id, in binding order from $2.
    private static let savedColumns = [
        "scope_kind", "scope_group_id", "scope_group_name", "mode", "state", "phase", "fetched", "added", "updated",
        "removed", "unchanged", "total", "error_code", "error_message", "started_at", "finished_at", "started_by",
        "triggered_by", "dry_run", "acknowledged_removals", "note", "photos_checked", "photos_written",
        "photos_removed", "photos_failed", "photos_skipped",
    ]

    package func createJob(_ job: SyncJobRecord) async throws(StoreError) {
        if let active = try await activeJob(tenant: job.tenantID) { throw Self.secondActiveJob(job, active: active.id) }
        let columns = Self.savedColumns.joined(separator: ", ")
        let placeholders = SQLValue.placeholders(from: 2, count: Self.savedColumns.count + 2)
        let owner = Self.savedColumns.count + 4
        try await session.rows(
            """
            INSERT INTO sync_jobs (id, \(columns), tenant_id, created_at, owner, lease_expires_at)
            VALUES ($1, \(placeholders), $\(owner), \(Self.databaseNow) + $\(owner + 1))
            """,
            Self.savedValues(job) + [
                .text(job.tenantID), .integer(job.createdAt), .text(replicaID), .integer(leaseMilliseconds),
            ],
            violations: [
                // Another job became active between the check and the insert.
                "23505": Self.secondActiveJob(job, active: nil),
                "23503": Self.noTenant(job.tenantID),
            ]
        )
    }

    package func updateJob(_ job: SyncJobRecord) async throws(StoreError) {
        let assignments = Self.savedColumns.enumerated().map { "\($1) = $\($0 + 2)" }.joined(separator: ", ")
        // Only the job's replica writes it: one whose lease ran out (and whose job another replica
        // interrupted) finds no row to update.
        let owner = Self.savedColumns.count + 2
        let updated = try await session.rows(
            "UPDATE sync_jobs SET \(assignments) WHERE id = $1 AND owner = $\(owner) RETURNING 1",
            Self.savedValues(job) + [.text(replicaID)],
            violations: [
                "23505": StoreError(
                    .conflict,
                    "cannot save job \(job.id) as \(job.state.rawValue): tenant \(job.tenantID) already has a queued "
                        + "or running job, and a tenant has at most one"
                )
            ]
        )
        guard updated.isEmpty else { return }
        guard let stored = try await self.job(id: job.id) else {
            throw StoreError(.notFound, "no sync job with id \(job.id); create it with createJob first")
        }
        throw Self.lostLease(stored)
    }

    package func job(id: String) async throws(StoreError) -> SyncJobRecord? {
        try await session.first("SELECT \(Self.jobColumns) FROM sync_jobs WHERE id = $1", [.text(id)]).map {
            row throws(StoreError) in try Self.readJob(row)
        }
    }

    package func jobs(tenant: String, limit: Int) async throws(StoreError) -> [SyncJobRecord] {
        let rows = try await session.rows(
            "SELECT \(Self.jobColumns) FROM sync_jobs WHERE tenant_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            [.text(tenant), .int(max(0, limit))]
        )
        var jobs: [SyncJobRecord] = []
        for row in rows { jobs.append(try Self.readJob(row)) }
        return jobs
    }

    package func activeJob(tenant: String) async throws(StoreError) -> SyncJobRecord? {
        try await session.first(
            "SELECT \(Self.jobColumns) FROM sync_jobs WHERE tenant_id = $1 AND state IN ('queued', 'running')",
            [.text(tenant)]
        ).map { row throws(StoreError) in try Self.readJob(row) }
    }

    package func interruptActiveJobs(now: Int64) async throws(StoreError) -> [String] {
        // Jobs whose replica stopped renewing their lease (jobs of versions before leases have
        // none), with their staging. The owner is cleared: a replica that comes back cannot write them.
        let rows = try await session.rows(
            """
            WITH gone AS (
                UPDATE sync_jobs SET state = 'interrupted', finished_at = $1, error_code = 'INTERRUPTED',
                    error_message = 'the server running the sync stopped during the run; start a new sync',
                    owner = NULL
                WHERE state IN ('queued', 'running')
                    AND (lease_expires_at IS NULL OR lease_expires_at < \(Self.databaseNow))
                RETURNING id
            ), dropped AS (
                DELETE FROM staging WHERE job_id IN (SELECT id FROM gone)
            )
            SELECT id FROM gone
            """,
            [.integer(now)]
        )
        var ids: [String] = []
        for row in rows { ids.append(try row.string(0) ?? "") }
        return ids.sorted()
    }

    /// A write refused because the job is no longer this replica's.
    static func lostLease(_ job: SyncJobRecord) -> StoreError {
        StoreError(
            .conflict,
            "sync job \(job.id) is no longer run by this server: its lease ran out and it ended "
                + "\(job.state.rawValue); start a new sync"
        )
    }

    private static func secondActiveJob(_ job: SyncJobRecord, active: String?) -> StoreError {
        StoreError(
            .conflict,
            "tenant \(job.tenantID) already has an active sync job\(active.map { " \($0)" } ?? ""); "
                + "wait for it or cancel it first"
        )
    }

    /// $1 the id, then ``savedColumns`` in order.
    private static func savedValues(_ job: SyncJobRecord) -> [SQLValue] {
        let group = job.scope.group
        return [
            .text(job.id), .text(job.scope.kind), .text(group?.id), .text(group?.name), .text(job.mode.rawValue),
            .text(job.state.rawValue), .text(job.phase?.rawValue), .int(job.fetched), .int(job.added),
            .int(job.updated), .int(job.removed), .int(job.unchanged), .integer(job.total.map { Int64($0) }),
            .text(job.errorCode), .text(job.errorMessage), .integer(job.startedAt), .integer(job.finishedAt),
            .text(job.startedBy), .text(job.trigger.rawValue), .boolean(job.dryRun), .boolean(job.acknowledgedRemovals),
            .text(job.note), .int(job.photos?.checked), .int(job.photos?.written), .int(job.photos?.removed),
            .int(job.photos?.failed), .int(job.photos?.skipped),
        ]
    }

    /// Every column of a job's row that a ``SyncJobRecord`` holds, for the import of another
    /// store's jobs: `id`, ``savedColumns``, `tenant_id`, `created_at`.
    static let jobRowColumns = ["id"] + savedColumns + ["tenant_id", "created_at"]

    /// `job`'s values for ``jobRowColumns``, in order.
    static func jobRowValues(_ job: SyncJobRecord) -> [SQLValue] {
        savedValues(job) + [.text(job.tenantID), .integer(job.createdAt)]
    }

    static func readJob(_ row: SQLRow) throws(StoreError) -> SyncJobRecord {
        var job = SyncJobRecord(
            id: try row.string(0) ?? "",
            tenantID: try row.string(1) ?? "",
            scope: try .from(kind: try row.string(2), groupID: try row.string(3), groupName: try row.string(4)),
            mode: try .stored(try row.string(5), column: "sync_jobs.mode"),
            createdAt: try row.int64(16),
            startedBy: try row.string(19),
            trigger: try .stored(try row.string(20), column: "sync_jobs.triggered_by"),
            dryRun: try row.bool(21),
            acknowledgedRemovals: try row.bool(22)
        )
        job.state = try .stored(try row.string(6), column: "sync_jobs.state")
        job.phase = try row.string(7).map { phase throws(StoreError) in try .stored(phase, column: "sync_jobs.phase") }
        job.fetched = try row.int(8)
        job.added = try row.int(9)
        job.updated = try row.int(10)
        job.removed = try row.int(11)
        job.unchanged = try row.int(12)
        job.total = try row.optionalInt64(13).map(Int.init)
        job.errorCode = try row.string(14)
        job.errorMessage = try row.string(15)
        job.startedAt = try row.optionalInt64(17)
        job.finishedAt = try row.optionalInt64(18)
        job.note = try row.string(23)
        if let checked = try row.optionalInt64(24) {
            job.photos = PhotoCounts(
                checked: Int(checked),
                written: try row.int(25),
                removed: try row.int(26),
                failed: try row.int(27),
                skipped: try row.int(28)
            )
        }
        return job
    }
}
