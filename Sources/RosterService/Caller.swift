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
/// each time; a key revoked with `rosterd keys revoke` (another process) stops working within it.
package final class Authenticator: Sendable {
    /// How long a looked-up key is trusted without asking the store again.
    package let cacheTTL: Duration
    private let store: any Store
    private let clock = ContinuousClock()
    private let cache = Mutex<[String: (caller: Caller?, until: ContinuousClock.Instant)]>([:])

    /// An authenticator over `store`'s API keys.
    package init(store: any Store, cacheTTL: Duration = .seconds(5)) {
        self.store = store
        self.cacheTTL = cacheTTL
    }

    /// The caller of a call with `metadata`; UNAUTHENTICATED when the key is missing, malformed,
    /// unknown or revoked.
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
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        let now = clock.now
        if let cached = cache.withLock({ $0[token] }), cached.until > now {
            if let caller = cached.caller { return caller }
            throw Self.invalidKey
        }
        let key: APIKeyRecord?
        do {
            key = try await store.authenticate(token: token)
        } catch {
            throw RPCError(.unavailable, "the key store failed (\(error.message)); try again")
        }
        let caller = key.map { Caller(tenantID: $0.tenantID, role: $0.role, keyID: $0.id, label: $0.label) }
        cache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }  // bounded: a flood of wrong keys cannot grow it
            cache[token] = (caller, now.advanced(by: cacheTTL))
        }
        guard let caller else { throw Self.invalidKey }
        return caller
    }

    private static let invalidKey = RPCError(
        .unauthenticated,
        "the API key is not valid (unknown or revoked); ask the server's operator for a key "
            + "(`rosterd keys create`)"
    )
}
