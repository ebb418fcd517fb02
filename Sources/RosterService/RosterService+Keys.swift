internal import Foundation
internal import Logging
internal import RosterRPC
internal import RosterStore
internal import RosterWire

// CreateApiKey, ListApiKeys, RevokeApiKey: an admin manages the tenant's keys without a shell on
// the server host. Each change is an audit line (notice) naming the key and the admin key used.
extension RosterService {
    /// Longest label a key may carry.
    static let maximumKeyLabelLength = 200

    func createAPIKey(_ request: CreateAPIKeyRequest, caller: Caller) async throws(RPCError) -> CreateAPIKeyResponse {
        try caller.require([.admin], to: "create API keys")
        guard let role = APIKeyRole(request.role) else {
            throw RPCError(.invalidArgument, "role must be ROLE_ADMIN, ROLE_EDITOR or ROLE_READER")
        }
        let label = request.label.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !label.isEmpty, label.count <= Self.maximumKeyLabelLength else {
            throw RPCError(
                .invalidArgument,
                "label must say what the key is for, in 1 to \(Self.maximumKeyLabelLength) characters"
            )
        }
        let now = configuration.now()
        let expiresAt = request.expiresUnixMs == 0 ? nil : request.expiresUnixMs
        if let expiresAt, expiresAt <= now {
            throw RPCError(.invalidArgument, "expires_unix_ms must be in the future (or 0: the key never expires)")
        }
        let (key, token) = try await storeCall { () async throws(StoreError) in
            try await store.createAPIKey(
                tenant: caller.tenantID,
                role: role,
                label: label,
                now: now,
                expiresAt: expiresAt
            )
        }
        audit("API key created", key: key, caller: caller)
        var response = CreateAPIKeyResponse()
        response.key = APIKey(key, lastUsed: nil)
        response.token = token
        return response
    }

    func listAPIKeys(caller: Caller) async throws(RPCError) -> ListAPIKeysResponse {
        try caller.require([.admin], to: "list API keys")
        let keys = try await storeCall { () async throws(StoreError) in try await store.apiKeys(tenant: caller.tenantID)
        }
        let recent = authenticator.lastUse
        var response = ListAPIKeysResponse()
        response.keys = keys.map { APIKey($0, lastUsed: recent[$0.id]) }
        return response
    }

    func revokeAPIKey(_ request: RevokeAPIKeyRequest, caller: Caller) async throws(RPCError) -> RevokeAPIKeyResponse {
        try caller.require([.admin], to: "revoke API keys")
        let revoked = try await storeCall { () async throws(StoreError) in
            try await store.revokeAPIKey(id: request.id, tenant: caller.tenantID, now: configuration.now())
        }
        let keys = try await storeCall { () async throws(StoreError) in try await store.apiKeys(tenant: caller.tenantID)
        }
        guard revoked, let key = keys.first(where: { $0.id == request.id }) else {
            throw RPCError(.notFound, "the tenant has no API key \"\(request.id)\"; `roster keys list` shows its keys")
        }
        authenticator.forget()
        audit("API key revoked", key: key, caller: caller)
        var response = RevokeAPIKeyResponse()
        response.key = APIKey(key, lastUsed: authenticator.lastUse[key.id])
        return response
    }

    private func audit(_ message: Logger.Message, key: APIKeyRecord, caller: Caller) {
        logger.notice(
            message,
            metadata: [
                "tenant": "\(caller.tenantID)", "key": "\(key.id)", "role": "\(key.role.rawValue)",
                "label": "\(key.label)", "by-key": "\(caller.keyID)",
            ]
        )
    }
}

extension APIKey {
    /// The wire form of a stored key; `lastUsed` is this process's newer knowledge, if any.
    init(_ key: APIKeyRecord, lastUsed: Int64?) {
        self.init()
        id = key.id
        role = Role(key.role)
        label = key.label
        createdUnixMs = key.createdAt
        expiresUnixMs = key.expiresAt ?? 0
        revokedUnixMs = key.revokedAt ?? 0
        lastUsedUnixMs = max(key.lastUsedAt ?? 0, lastUsed ?? 0)
    }
}

extension APIKeyRole {
    /// The stored role of a wire role; nil for ROLE_UNSPECIFIED or an unknown number.
    init?(_ role: Role) {
        switch role {
        case .admin: self = .admin
        case .editor: self = .editor
        case .reader: self = .reader
        default: return nil
        }
    }
}
