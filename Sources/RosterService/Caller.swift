internal import Foundation
package import RosterRPC
package import RosterStore
internal import Synchronization

/// Who is calling: the tenant and role of the API key in the call's `authorization` metadata.
package struct Caller: Sendable, Hashable {
    /// The tenant whose data the call may reach (and no other).
    package var tenantID: String
    /// What the key may do.
    package var role: APIKeyRole
    /// The key's id and label, for the job history ("started by").
    package var keyID: String
    package var label: String

    /// Throws PERMISSION_DENIED unless the caller's role is one of `roles`; `action` completes the
    /// sentence "… may not <action>", e.g. "a reader key may not start a sync; this needs an editor
    /// or admin key of the tenant".
    package func require(_ roles: Set<APIKeyRole>, to action: String) throws(RPCError) {
        guard !roles.contains(role) else { return }
        // The least powerful role that suffices first.
        let needed = APIKeyRole.allCases.reversed().filter(roles.contains).map(\.rawValue).joined(separator: " or ")
        throw RPCError(
            .permissionDenied,
            "\(Self.withArticle(role.rawValue)) key may not \(action); this needs \(Self.withArticle(needed)) key of the tenant"
        )
    }

    /// `phrase` after "a" or "an", as its first letter sounds ("an admin", "an editor", "a reader").
    static func withArticle(_ phrase: String) -> String {
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
        return (phrase.first.map { vowels.contains(Character($0.lowercased())) } ?? false ? "an " : "a ") + phrase
    }
}

/// Turns the `authorization: Bearer <key>` metadata of a call into a ``Caller``.
///
/// A key's verdict is kept for ``cacheTTL`` so a stream of type-ahead calls does not hit SQLite
/// each time; a key revoked with `rosterd keys revoke` (another process) stops working within it,
/// one revoked over RPC (``forget()``) at once. An expired key is refused saying so. When each key
/// was last used is kept in memory and written by ``flushUse()`` (the service does so every
/// minute), so a call never waits for a write.
package final class Authenticator: Sendable {
    /// How long a looked-up key is trusted without asking the store again.
    package let cacheTTL: Duration
    private let store: any Store
    private let clock = ContinuousClock()
    /// Unix milliseconds, for key expiry and last use.
    private let now: @Sendable () -> Int64
    private let cache = Mutex<[String: (key: APIKeyRecord?, until: ContinuousClock.Instant)]>([:])
    private let lastUsed = Mutex<[String: Int64]>([:])

    /// An authenticator over `store`'s API keys.
    package init(
        store: any Store,
        cacheTTL: Duration = .seconds(5),
        now: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000) }
    ) {
        self.store = store
        self.cacheTTL = cacheTTL
        self.now = now
    }

    /// The caller of a call with `metadata`; UNAUTHENTICATED when the key is missing, malformed,
    /// unknown, revoked or expired.
    package func caller(metadata: [String: String]) async throws(RPCError) -> Caller {
        guard let header = metadata["authorization"] else {
            throw RPCError(
                .unauthenticated,
                "this call needs an API key: send the metadata `authorization: Bearer <key>` "
                    + "(mint a key on the server with `rosterd keys create`)"
            )
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw RPCError(.unauthenticated, "the authorization metadata must read `Bearer <key>`")
        }
        let key = try await key(token: parts[1].trimmingCharacters(in: .whitespaces))
        let time = now()
        if let expiresAt = key.expiresAt, time >= expiresAt {
            throw RPCError(
                .unauthenticated,
                "the API key \(key.id) expired at \(Self.format(expiresAt)); ask an admin of the tenant for a new one "
                    + "(`roster keys create`)"
            )
        }
        lastUsed.withLock { $0[key.id] = time }
        return Caller(tenantID: key.tenantID, role: key.role, keyID: key.id, label: key.label)
    }

    /// The stored key of `token`, from the cache or the store; UNAUTHENTICATED when there is none.
    private func key(token: String) async throws(RPCError) -> APIKeyRecord {
        let instant = clock.now
        if let cached = cache.withLock({ $0[token] }), cached.until > instant {
            if let key = cached.key { return key }
            throw Self.invalidKey
        }
        let key: APIKeyRecord?
        do {
            key = try await store.authenticate(token: token)
        } catch {
            throw RPCError(.unavailable, "the key store failed (\(error.message)); try again")
        }
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }  // bounded: a flood of wrong keys cannot grow it
            cache[token] = (key, instant.advanced(by: cacheTTL))
        }
        guard let key else { throw Self.invalidKey }
        return key
    }

    /// Forgets every cached verdict (after a key was revoked here, so it stops at once).
    package func forget() {
        cache.withLock { $0.removeAll() }
    }

    /// When each key was last used, as far as this process knows (key id → Unix ms).
    package var lastUse: [String: Int64] { lastUsed.withLock { $0 } }

    /// Writes the last-use times gathered since the previous flush.
    package func flushUse() async {
        let pending = lastUsed.withLock { $0 }
        guard !pending.isEmpty else { return }
        if (try? await store.recordAPIKeyUse(pending)) != nil {
            lastUsed.withLock { current in
                for (id, time) in pending where current[id] == time { current[id] = nil }
            }
        }
    }

    /// "2026-11-30T12:00:00Z" for `milliseconds`.
    static func format(_ milliseconds: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1_000))
    }

    private static let invalidKey = RPCError(
        .unauthenticated,
        "the API key is not valid (unknown or revoked); ask the server's operator for a key "
            + "(`rosterd keys create`)"
    )
}
