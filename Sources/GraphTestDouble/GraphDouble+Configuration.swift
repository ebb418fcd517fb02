package import Foundation

extension GraphDouble {
    /// The double's credentials, the permissions its tokens carry, and its page sizes.
    package struct Configuration: Sendable {
        /// The directory tenant id the token endpoint accepts. Default `double-tenant`.
        package var tenantID = "double-tenant"
        /// The client id the token endpoint accepts. Default `roster-app`.
        package var clientID = "roster-app"
        /// The client secret the token endpoint accepts. Default `double-secret`.
        package var clientSecret = "double-secret"
        /// The certificate uploaded to the app registration (PEM): client assertions signed by its
        /// key are accepted in place of the secret. Default nil: none accepted.
        package var clientCertificatePEM: String?
        /// The `roles` claim of issued tokens; group endpoints answer 403 unless it holds one of
        /// GroupMember.Read.All, Group.Read.All, Directory.Read.All.
        /// Default User.Read.All and GroupMember.Read.All.
        package var roles = ["User.Read.All", "GroupMember.Read.All"]
        /// The only token scope accepted; another is refused with AADSTS500011, as Entra ID
        /// refuses a resource it does not know. Default nil: the double's own base URL followed by
        /// `/.default` (its resource, as `https://graph.microsoft.com/.default` is Graph's).
        package var acceptedScope: String?
        /// Whether the application has been granted admin consent in the tenant. Without it the
        /// token endpoint answers as Entra ID does for a multi-tenant application never consented
        /// to: 400 `unauthorized_client`, AADSTS700016. Default true.
        package var consented = true
        /// Accept any `…/.default` scope (lenient). Default false.
        package var acceptsAnyScope = false
        /// `expires_in` of issued tokens, in seconds; a token used after that answers 401
        /// `InvalidAuthenticationToken`. Default 3599, as Entra ID.
        package var tokenLifetime = 3599
        /// The double's clock, for token expiry. Default the system clock.
        package var now: @Sendable () -> Date = { Date() }
        /// Page size without `$top`. Default 100, as Graph.
        package var defaultPageSize = 100
        /// The largest `$top` allowed. Default 999, as Graph.
        package var maximumPageSize = 999
        /// A `$top` above `maximumPageSize` answers 400, as Graph; false caps it (lenient). Default true.
        package var refusesOversizedTop = true
        /// `$search` and `$count` need the `ConsistencyLevel: eventual` header, and the cast
        /// `transitiveMembers/microsoft.graph.user` needs it with `$count=true`, as Graph's advanced
        /// queries do; otherwise 400 `Request_UnsupportedQuery`. Default true. (A `$filter` of `eq`
        /// and `startswith` clauses is a basic query in Graph and needs neither.)
        package var requiresAdvancedQueryHeaders = true
        /// Entries per delta page without `Prefer: odata.maxpagesize` (delta takes no `$top`).
        /// Default 200.
        package var deltaPageSize = 200
        /// Send an updated user in a delta round with only its id and changed properties, as Graph
        /// does for `Prefer: return=minimal` (honoured too) and may do otherwise ("at least the
        /// updated properties"). Default false: every selected property.
        package var deltaChangedPropertiesOnly = false
        /// Leave properties whose value is null out of delta rows, as Graph does: a new user's row
        /// then lacks its empty properties, and a property cleared since the link is not sent at
        /// all. Default true.
        package var deltaOmitsNullProperties = true
        /// `@removed.reason` of a removed user in a delta round: Graph says "changed" for a user
        /// moved to deleted items (restorable for 30 days) and "deleted" once it is purged.
        /// Default "changed".
        package var removalReason = "changed"
        /// Each round from a delta link first sends again the user changed last before that link,
        /// as Graph may replay entries (applying one twice must be harmless). Default true.
        package var deltaReplaysEntries = true

        /// Hold every answer to a photo request (`/users/{id}/photo`, `/photo/$value`) this long
        /// before sending it, so that a test can see how many the client keeps in flight
        /// (``GraphDouble/maxPhotoRequestsInFlight``). Default nil: answer at once.
        package var photoReplyDelay: Duration?

        /// Serve HTTPS with this certificate chain and key (PEM files) instead of plain HTTP, so
        /// that GraphDirectory's TLS path runs as it does against Graph. Default nil: plain HTTP.
        package var tls: TLSFiles?

        /// Directory schema extension properties registered on users
        /// (`extension_<app id without dashes>_<name>`), which `$select` may name even where no
        /// user holds a value; those users hold are known anyway. Default none.
        package var schemaExtensions: [String] = []

        package init() {}
    }

    /// A PEM certificate chain (leaf first) and its private key.
    package struct TLSFiles: Sendable {
        package var certificateChainPath: String
        package var privateKeyPath: String

        package init(certificateChainPath: String, privateKeyPath: String) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
        }
    }

    /// A misbehaviour served instead of the next matching request's answer.
    package enum Fault: Sendable, Hashable {
        /// 429 `TooManyRequests`, with `Retry-After: seconds` when given.
        case throttle(retryAfter: Int?)
        /// 429 `TooManyRequests`, with `Retry-After` as the HTTP date this many seconds from now.
        case throttleUntil(secondsFromNow: Int)
        /// 503 `serviceNotAvailable`, with `Retry-After: seconds` when given.
        case serviceUnavailable(retryAfter: Int?)
        /// 504 `GatewayTimeout`.
        case gatewayTimeout
        /// 500 `generalException`.
        case internalError
        /// The connection is closed without an answer.
        case dropConnection
        /// Any body with any status, as a hostile or broken endpoint might send it.
        case rawBody(status: Int, body: String)
        /// Any bytes with any status and `Content-Type` (a photo that is not an image, say).
        case rawReply(status: Int, contentType: String, body: [UInt8])
    }

    /// One request for a photo, as received.
    package struct PhotoRequest: Sendable, Hashable {
        /// The user whose photo was asked for.
        package var userID: String
        /// True for `/photo/$value` (the bytes), false for `/photo` (the metadata).
        package var value: Bool

        package init(userID: String, value: Bool) {
            self.userID = userID
            self.value = value
        }
    }

    /// One request as the double received it.
    package struct RecordedRequest: Sendable, Hashable {
        package var method: String
        /// The path without the query: `/v1.0/users`.
        package var path: String
        /// The query, percent-decoded: `["$top": "999"]`.
        package var query: [String: String]
        /// Headers by lowercased name; the last value wins.
        package var headers: [String: String]
        /// The body as text (form posts to the token endpoint).
        package var body: String
    }
}
