/// One API key as stored: who it belongs to and what it may do (never the token itself).
package struct APIKeyRecord: Sendable, Hashable {
    /// The key id, also embedded in the token.
    package var id: String
    /// The tenant whose data the key reaches (and no other).
    package var tenantID: String
    /// What the key may do.
    package var role: APIKeyRole
    /// A note for operators ("signature service, prod").
    package var label: String
    /// Unix ms.
    package var createdAt: Int64
    /// Set once the key is revoked (Unix ms); a revoked key never authenticates.
    package var revokedAt: Int64?
    /// When the key stops working (Unix ms); nil: never.
    package var expiresAt: Int64? = nil
    /// When the key was last used, to within the server's flush interval (Unix ms).
    package var lastUsedAt: Int64? = nil

    /// A key record with the given details.
    package init(
        id: String,
        tenantID: String,
        role: APIKeyRole,
        label: String,
        createdAt: Int64,
        revokedAt: Int64?,
        expiresAt: Int64? = nil,
        lastUsedAt: Int64? = nil
    ) {
        self.id = id
        self.tenantID = tenantID
        self.role = role
        self.label = label
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }

    /// Whether the key has expired at `now`.
    package func isExpired(at now: Int64) -> Bool {
        expiresAt.map { now >= $0 } ?? false
    }
}
