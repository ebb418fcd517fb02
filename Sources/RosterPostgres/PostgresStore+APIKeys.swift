package import RosterStore

// API keys: random tokens shown once, stored as SHA-256 hashes, compared in constant time.
extension PostgresStore {
    private static let keyColumns = "id, tenant_id, role, label, created_at, revoked_at, expires_at, last_used_at"

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
        try await session.rows(
            """
            INSERT INTO api_keys (id, tenant_id, role, hash, label, created_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """,
            [
                .text(key.id), .text(tenant), .text(role.rawValue), .bytes(hash), .text(label),
                .integer(now), .integer(expiresAt),
            ],
            violations: ["23503": Self.noTenant(tenant)]
        )
        return (key, token)
    }

    package func authenticate(token: String) async throws(StoreError) -> APIKeyRecord? {
        guard let id = APIKeyToken.keyID(of: token) else { return nil }
        let presented = APIKeyToken.hash(token)
        guard
            let row = try await session.first(
                "SELECT \(Self.keyColumns), hash FROM api_keys WHERE id = $1",
                [.text(id)]
            )
        else { return nil }
        guard APIKeyToken.constantTimeEqual(try row.bytes(8) ?? [], presented) else { return nil }
        let key = try Self.readKey(row)
        return key.revokedAt == nil ? key : nil
    }

    package func apiKeys(tenant: String) async throws(StoreError) -> [APIKeyRecord] {
        var keys: [APIKeyRecord] = []
        let rows = try await session.rows(
            "SELECT \(Self.keyColumns) FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id",
            [.text(tenant)]
        )
        for row in rows { keys.append(try Self.readKey(row)) }
        return keys
    }

    package func revokeAPIKey(id: String, tenant: String, now: Int64) async throws(StoreError) -> Bool {
        let rows = try await session.rows(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3) WHERE id = $1 AND tenant_id = $2 RETURNING 1",
            [.text(id), .text(tenant), .integer(now)]
        )
        return rows.count == 1
    }

    package func recordAPIKeyUse(_ lastUsed: [String: Int64]) async throws(StoreError) {
        guard !lastUsed.isEmpty else { return }
        // One statement for the whole batch; an older time than the stored one is ignored.
        try await session.rows(
            """
            UPDATE api_keys SET last_used_at = greatest(coalesce(last_used_at, 0), used.at)
            FROM unnest($1::text[], $2::bigint[]) AS used(id, at) WHERE api_keys.id = used.id
            """,
            [.textArray(lastUsed.map(\.key)), .integerArray(lastUsed.map(\.value))]
        )
    }

    private static func readKey(_ row: SQLRow) throws(StoreError) -> APIKeyRecord {
        APIKeyRecord(
            id: try row.string(0) ?? "",
            tenantID: try row.string(1) ?? "",
            role: try .stored(try row.string(2), column: "api_keys.role"),
            label: try row.string(3) ?? "",
            createdAt: try row.int64(4),
            revokedAt: try row.optionalInt64(5),
            expiresAt: try row.optionalInt64(6),
            lastUsedAt: try row.optionalInt64(7)
        )
    }
}
