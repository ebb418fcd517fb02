package import RosterStore

// The tenant's cached directory groups and their type-ahead search (SearchFolding keys, as SQLite's).
extension PostgresStore {
    private static let groupColumns = "g.id, g.display_name, g.mail, g.mail_enabled, g.security_enabled, g.kind"

    /// Rows per multi-row INSERT (8 parameters a group: far below PostgreSQL's limit of 65,535).
    private static let rowsPerInsert = 1_000

    package func replaceGroups(tenant: String, groups: [GroupRecord], now: Int64) async throws(StoreError) {
        // A group listed twice keeps its last version, as SQLite's INSERT OR REPLACE does.
        var latest: [String: Int] = [:]
        for (offset, group) in groups.enumerated() { latest[group.id] = offset }
        let unique = groups.enumerated().filter { latest[$0.element.id] == $0.offset }.map(\.element)
        try await transaction { session throws(StoreError) in
            // Deleting a group deletes its words (ON DELETE CASCADE).
            try await session.rows("DELETE FROM groups WHERE tenant_id = $1", [.text(tenant)])
            try await Self.insertGroups(unique, tenant: tenant, refreshedAt: now, session: session)
            // The other replicas drop their in-memory index of the tenant's groups at the commit.
            try await Self.notify(.groupsReplaced(tenant: tenant, replica: replicaID), session: session)
        }
    }

    /// Inserts `groups` (ids unique, none stored yet) of `tenant` with their folded search keys and
    /// words, in the caller's transaction, in multi-row INSERTs.
    static func insertGroups(_ groups: [GroupRecord], tenant: String, refreshedAt: Int64, session: SQLSession)
        async throws(StoreError)
    {
        for start in stride(from: 0, to: groups.count, by: rowsPerInsert) {
            let chunk = groups[start..<min(start + rowsPerInsert, groups.count)]
            var values: [SQLValue] = [.text(tenant), .integer(refreshedAt)]
            var rows: [String] = []
            for group in chunk {
                rows.append("($1, \(SQLValue.placeholders(from: values.count + 1, count: 8)), $2)")
                values += [
                    .text(group.id), .text(group.displayName), .text(SearchFolding.fold(group.displayName)),
                    .text(group.mail), .text(group.mail.map(SearchFolding.fold)), .boolean(group.mailEnabled),
                    .boolean(group.securityEnabled), .text(group.kind.rawValue),
                ]
            }
            try await session.rows(
                """
                INSERT INTO groups (tenant_id, id, display_name, folded_name, mail, folded_mail, mail_enabled,
                    security_enabled, kind, refreshed_at)
                VALUES \(rows.joined(separator: ", "))
                """,
                values
            )
        }
        let words = groups.flatMap { group in
            Set(SearchFolding.wordStarts(in: group.displayName)).sorted().map { (group.id, $0) }
        }
        for start in stride(from: 0, to: words.count, by: rowsPerInsert) {
            let chunk = words[start..<min(start + rowsPerInsert, words.count)]
            try await session.rows(
                """
                INSERT INTO group_words (tenant_id, group_id, word)
                SELECT $1, word.group_id, word.word FROM unnest($2::text[], $3::text[]) AS word(group_id, word)
                """,
                [.text(tenant), .textArray(chunk.map(\.0)), .textArray(chunk.map(\.1))]
            )
        }
    }

    package func groups(tenant: String) async throws(StoreError) -> (groups: [GroupRecord], refreshedAt: Int64?) {
        let rows = try await session.rows(
            "SELECT \(Self.groupColumns), g.refreshed_at FROM groups g WHERE g.tenant_id = $1",
            [.text(tenant)]
        )
        var groups: [GroupRecord] = []
        var refreshedAt: Int64?
        for row in rows {
            groups.append(try Self.readGroup(row))
            refreshedAt = max(refreshedAt ?? 0, try row.int64(6))
        }
        return (groups, refreshedAt)
    }

    package func group(tenant: String, id: String) async throws(StoreError) -> GroupRecord? {
        try await session.first(
            "SELECT \(Self.groupColumns) FROM groups g WHERE g.tenant_id = $1 AND g.id = $2",
            [.text(tenant), .text(id)]
        ).map { row throws(StoreError) in try Self.readGroup(row) }
    }

    package func searchGroups(tenant: String, query: String, limit: Int) async throws(StoreError) -> [GroupRecord] {
        let prefix = String(SearchFolding.fold(query).drop { $0.isWhitespace })
        let upper = SearchFolding.upperBound(ofPrefix: prefix)
        // Three index range scans (whole name, words, mail), each hit ranked; a group's best rank wins.
        let rows = try await session.rows(
            """
            WITH hits(group_id, rank) AS (
                SELECT id, 0 FROM groups WHERE tenant_id = $1 AND folded_name >= $2 AND folded_name < $3
                UNION ALL
                SELECT group_id, 1 FROM group_words WHERE tenant_id = $1 AND word >= $2 AND word < $3
                UNION ALL
                SELECT id, 2 FROM groups WHERE tenant_id = $1 AND folded_mail >= $2 AND folded_mail < $3
            )
            SELECT \(Self.groupColumns), min(h.rank) AS best
            FROM hits h JOIN groups g ON g.tenant_id = $1 AND g.id = h.group_id
            WHERE g.kind = 'mailEnabledSecurity'
            GROUP BY g.tenant_id, g.id
            ORDER BY best, g.folded_name, g.id
            LIMIT $4
            """,
            [.text(tenant), .text(prefix), .text(upper), .int(max(0, limit))]
        )
        var groups: [GroupRecord] = []
        for row in rows { groups.append(try Self.readGroup(row)) }
        return groups
    }

    private static func readGroup(_ row: SQLRow) throws(StoreError) -> GroupRecord {
        GroupRecord(
            id: try row.string(0) ?? "",
            displayName: try row.string(1) ?? "",
            mail: try row.string(2),
            mailEnabled: try row.bool(3),
            securityEnabled: try row.bool(4),
            kind: try .stored(try row.string(5), column: "groups.kind")
        )
    }
}
