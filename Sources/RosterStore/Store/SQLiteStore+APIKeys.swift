// API keys: random tokens shown once, stored as SHA-256 hashes, compared in constant time.
extension SQLiteStore {
    static let keyColumns = "id, tenant_id, role, label, created_at, revoked_at, expires_at, last_used_at"

    package func createAPIKey(tenant: String, role: APIKeyRole, label: String, now: Int64, expiresAt: Int64?)
        async throws(StoreError) -> (key: APIKeyRecord, token: String)
    {
        let (key, token, hash) = try APIKeyToken.mint(
            tenant: tenant,
            role: role,
            label: label,
            now: now,
            expiresAt: expiresAt
        )
        try await pool.write { connection throws(StoreError) in
            let exists = try connection.cached("SELECT 1 FROM tenants WHERE id = ?1")
            exists.bind(tenant, at: 1)
            guard try exists.step() else { throw Self.noTenant(tenant) }
            let insert = try connection.cached(
                "INSERT INTO api_keys (id, tenant_id, role, hash, label, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            )
            insert.bind(key.id, at: 1)
            insert.bind(tenant, at: 2)
            insert.bind(role.rawValue, at: 3)
            insert.bind(hash, at: 4)
            insert.bind(label, at: 5)
            insert.bind(now, at: 6)
            insert.bind(expiresAt, at: 7)
            try insert.run()
        }
        return (key, token)
    }

    package func authenticate(token: String) async throws(StoreError) -> APIKeyRecord? {
        guard let id = APIKeyToken.keyID(of: token) else { return nil }
        let presented = APIKeyToken.hash(token)
        return try await pool.read { connection throws(StoreError) in
            let select = try connection.cached("SELECT \(Self.keyColumns), hash FROM api_keys WHERE id = ?1")
            select.bind(id, at: 1)
            guard try select.step() else { return nil }
            let stored = select.bytes(8) ?? []
            guard APIKeyToken.constantTimeEqual(stored, presented) else { return nil }
            let key = try Self.readKey(select)
            return key.revokedAt == nil ? key : nil
        }
    }

    package func apiKeys(tenant: String) async throws(StoreError) -> [APIKeyRecord] {
        try await pool.read { connection throws(StoreError) in
            let select = try connection.cached(
                "SELECT \(Self.keyColumns) FROM api_keys WHERE tenant_id = ?1 ORDER BY created_at, id"
            )
            select.bind(tenant, at: 1)
            var keys: [APIKeyRecord] = []
            while try select.step() { keys.append(try Self.readKey(select)) }
            return keys
        }
    }

    package func revokeAPIKey(id: String, tenant: String, now: Int64) async throws(StoreError) -> Bool {
        try await pool.write { connection throws(StoreError) in
            let update = try connection.cached(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?3) WHERE id = ?1 AND tenant_id = ?2"
            )
            update.bind(id, at: 1)
            update.bind(tenant, at: 2)
            update.bind(now, at: 3)
            try update.run()
            return connection.changes == 1
        }
    }

    package func recordAPIKeyUse(_ lastUsed: [String: Int64]) async throws(StoreError) {
        guard !lastUsed.isEmpty else { return }
        try await pool.write { connection throws(StoreError) in
            let update = try connection.cached(
                "UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, 0), ?2) WHERE id = ?1"
            )
            for (id, time) in lastUsed {
                update.bind(id, at: 1)
                update.bind(time, at: 2)
                try update.run()
                update.reset()
            }
        }
    }

    static func readKey(_ row: Statement) throws(StoreError) -> APIKeyRecord {
        APIKeyRecord(
            id: row.string(0) ?? "",
            tenantID: row.string(1) ?? "",
            role: try .stored(row.string(2), column: "api_keys.role"),
            label: row.string(3) ?? "",
            createdAt: row.int64(4),
            revokedAt: row.optionalInt64(5),
            expiresAt: row.optionalInt64(6),
            lastUsedAt: row.optionalInt64(7)
        )
    }
}
