package import RosterStore

// The change feed: reading a tenant's numbered changes, logging one outside the apply, pruning.
extension PostgresStore {
    package func changes(tenant: String, after cursor: Int64, limit: Int) async throws(StoreError)
        -> ContactChangePage
    {
        // Two statements, two snapshots: a change committed in between may be on the page (it then
        // raises `latest`); one pruned in between would leave a gap, which ``checkPage`` refuses.
        let session = session
        let bounds = try await session.first(
            "SELECT change_seq, change_floor FROM tenants WHERE id = $1",
            [.text(tenant)]
        )
        let latest = try bounds?.int64(0) ?? 0
        try Self.checkCursor(cursor, latest: latest, floor: try bounds?.int64(1) ?? 0)
        let rows = try await session.rows(
            """
            SELECT ch.seq, ch.contact_id, ch.kind, ch.source, ch.changed_at,
                c.id, \(ContactColumns.list(prefix: "c")), c.changed_at, \(ContactColumns.photoETag(of: "c"))
            FROM contact_changes ch
                LEFT JOIN contacts c ON c.tenant_id = ch.tenant_id AND c.id = ch.contact_id
            WHERE ch.tenant_id = $1 AND ch.seq > $2
            ORDER BY ch.seq LIMIT $3
            """,
            [.text(tenant), .integer(cursor), .int(max(0, limit))]
        )
        var changes: [ContactChangeRecord] = []
        changes.reserveCapacity(rows.count)
        for row in rows {
            changes.append(
                ContactChangeRecord(
                    sequence: try row.int64(0),
                    contactID: try row.string(1) ?? "",
                    kind: ContactChangeKind(rawValue: try row.string(2) ?? "") ?? .updated,
                    source: ContactChangeSource(rawValue: try row.string(3) ?? "") ?? .directory,
                    changedAt: try row.int64(4),
                    contact: try row.string(5) == nil ? nil : try Self.readContact(row, from: 5)
                )
            )
        }
        return try Self.checkPage(ContactChangePage(changes: changes, latest: latest), after: cursor)
    }

    package func changeCursor(tenant: String) async throws(StoreError) -> Int64 {
        try await session.first("SELECT change_seq FROM tenants WHERE id = $1", [.text(tenant)])?.int64(0) ?? 0
    }

    package func pruneChanges(before: Int64) async throws(StoreError) -> Int {
        try await transaction { session throws(StoreError) in
            try await session.rows(
                """
                UPDATE tenants SET change_floor = newest.seq
                FROM (
                    SELECT tenant_id, max(seq) AS seq FROM contact_changes WHERE changed_at < $1 GROUP BY tenant_id
                ) newest
                WHERE tenants.id = newest.tenant_id AND newest.seq > tenants.change_floor
                """,
                [.integer(before)]
            )
            return try await session.integer(
                """
                WITH gone AS (
                    DELETE FROM contact_changes ch USING tenants t
                    WHERE t.id = ch.tenant_id AND ch.seq <= t.change_floor
                    RETURNING 1
                )
                SELECT count(*) FROM gone
                """
            )
        }
    }

    /// Logs one change of `contact` outside the apply, inside the caller's transaction, and tells
    /// the other replicas at its commit. The first statement takes the tenant's row lock.
    static func logChange(
        tenant: String,
        contact: String,
        kind: ContactChangeKind,
        source: ContactChangeSource,
        now: Int64,
        session: SQLSession
    ) async throws(StoreError) {
        // The UPDATE takes the tenant's row lock first: concurrent writers number their changes in turn.
        try await session.rows(
            """
            WITH next AS (UPDATE tenants SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq)
            INSERT INTO contact_changes (tenant_id, seq, contact_id, kind, source, changed_at)
            SELECT $1, next.change_seq, $2, $4, $5, $3 FROM next
            """,
            [.text(tenant), .text(contact), .integer(now), .text(kind.rawValue), .text(source.rawValue)]
        )
        try await notify(.contactsChanged(tenant: tenant), session: session)
    }
}
