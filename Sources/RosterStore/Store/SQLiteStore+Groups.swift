// The group cache and its type-ahead search.
extension SQLiteStore {
    static let groupColumns = "g.id, g.display_name, g.mail, g.mail_enabled, g.security_enabled, g.kind"

    package func replaceGroups(tenant: String, groups: [GroupRecord], now: Int64) async throws(StoreError) {
        try await pool.write { connection throws(StoreError) in
            let clear = try connection.cached("DELETE FROM groups WHERE tenant_id = ?1")
            clear.bind(tenant, at: 1)
            try clear.run()
            let insert = try connection.cached(
                """
                INSERT OR REPLACE INTO groups (tenant_id, id, display_name, folded_name, mail, folded_mail,
                    mail_enabled, security_enabled, kind, refreshed_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                """
            )
            let addWord = try connection.cached(
                "INSERT OR IGNORE INTO group_words (tenant_id, group_id, word) VALUES (?1, ?2, ?3)"
            )
            for group in groups {
                insert.reset()
                insert.bind(tenant, at: 1)
                insert.bind(group.id, at: 2)
                insert.bind(group.displayName, at: 3)
                insert.bind(SearchFolding.fold(group.displayName), at: 4)
                insert.bind(group.mail, at: 5)
                insert.bind(group.mail.map(SearchFolding.fold), at: 6)
                insert.bind(group.mailEnabled, at: 7)
                insert.bind(group.securityEnabled, at: 8)
                insert.bind(group.kind.rawValue, at: 9)
                insert.bind(now, at: 10)
                try insert.run()
                for word in SearchFolding.wordStarts(in: group.displayName) {
                    addWord.reset()
                    addWord.bind(tenant, at: 1)
                    addWord.bind(group.id, at: 2)
                    addWord.bind(word, at: 3)
                    try addWord.run()
                }
            }
        }
    }

    package func groups(tenant: String) async throws(StoreError) -> (groups: [GroupRecord], refreshedAt: Int64?) {
        try await pool.readBulk { connection throws(StoreError) in
            let select = try connection.cached(
                "SELECT \(Self.groupColumns), g.refreshed_at FROM groups g WHERE g.tenant_id = ?1"
            )
            select.bind(tenant, at: 1)
            var groups: [GroupRecord] = []
            var refreshedAt: Int64?
            while try select.step() {
                groups.append(try Self.readGroup(select))
                refreshedAt = max(refreshedAt ?? 0, select.int64(6))
            }
            return (groups, refreshedAt)
        }
    }

    package func group(tenant: String, id: String) async throws(StoreError) -> GroupRecord? {
        try await pool.read { connection throws(StoreError) in
            let select = try connection.cached(
                "SELECT \(Self.groupColumns) FROM groups g WHERE g.tenant_id = ?1 AND g.id = ?2"
            )
            select.bind(tenant, at: 1)
            select.bind(id, at: 2)
            return try select.step() ? try Self.readGroup(select) : nil
        }
    }

    package func searchGroups(tenant: String, query: String, limit: Int) async throws(StoreError) -> [GroupRecord] {
        let prefix = SearchFolding.fold(query).trimmingPrefixWhitespace()
        let upper = SearchFolding.upperBound(ofPrefix: prefix)
        return try await pool.read { connection throws(StoreError) in
            // Three index range scans (whole name, words, mail), each hit ranked; a group's best rank wins.
            let select = try connection.cached(
                """
                WITH hits(group_id, rank) AS (
                    SELECT id, 0 FROM groups WHERE tenant_id = ?1 AND folded_name >= ?2 AND folded_name < ?3
                    UNION ALL
                    SELECT group_id, 1 FROM group_words WHERE tenant_id = ?1 AND word >= ?2 AND word < ?3
                    UNION ALL
                    SELECT id, 2 FROM groups WHERE tenant_id = ?1 AND folded_mail >= ?2 AND folded_mail < ?3
                )
                SELECT \(Self.groupColumns), min(h.rank) AS best
                FROM hits h JOIN groups g ON g.tenant_id = ?1 AND g.id = h.group_id
                WHERE g.kind = 'mailEnabledSecurity'
                GROUP BY g.id
                ORDER BY best, g.folded_name, g.id
                LIMIT ?4
                """
            )
            select.bind(tenant, at: 1)
            select.bind(prefix, at: 2)
            select.bind(upper, at: 3)
            select.bind(max(0, limit), at: 4)
            var groups: [GroupRecord] = []
            while try select.step() { groups.append(try Self.readGroup(select)) }
            return groups
        }
    }

    static func readGroup(_ row: Statement) throws(StoreError) -> GroupRecord {
        GroupRecord(
            id: row.string(0) ?? "",
            displayName: row.string(1) ?? "",
            mail: row.string(2),
            mailEnabled: row.bool(3),
            securityEnabled: row.bool(4),
            kind: try .stored(row.string(5), column: "groups.kind")
        )
    }
}

extension String {
    /// The string without leading spaces (a query typed as " uk" still means "uk").
    fileprivate func trimmingPrefixWhitespace() -> String {
        String(drop { $0.isWhitespace })
    }
}
