extension GraphDouble {
    /// The double's credentials, the permissions its tokens carry, and its page sizes.
    package struct Configuration: Sendable {
        /// The directory tenant id the token endpoint accepts. Default `double-tenant`.
        package var tenantID = "double-tenant"
        /// The client id the token endpoint accepts. Default `roster-app`.
        package var clientID = "roster-app"
        /// The client secret the token endpoint accepts. Default `double-secret`.
        package var clientSecret = "double-secret"
        /// The `roles` claim of issued tokens; group endpoints answer 403 unless it holds one of
        /// GroupMember.Read.All, Group.Read.All, Directory.Read.All.
        /// Default User.Read.All and GroupMember.Read.All.
        package var roles = ["User.Read.All", "GroupMember.Read.All"]
        /// The only token scope accepted, when set; another is refused with AADSTS500011, as Entra
        /// ID refuses a resource it does not know. Default nil: any `…/.default`.
        package var acceptedScope: String?
        /// `expires_in` of issued tokens, in seconds. Default 3599, as Entra ID.
        package var tokenLifetime = 3599
        /// Page size without `$top`. Default 100, as Graph.
        package var defaultPageSize = 100
        /// The largest `$top` honoured. Default 999, as Graph.
        package var maximumPageSize = 999
        /// Entries per delta page (delta takes no `$top`). Default 200.
        package var deltaPageSize = 200
        /// Send an updated user in a delta round with only its id and changed properties, as Graph
        /// does for `Prefer: return=minimal` (honoured too) and may do otherwise ("at least the
        /// updated properties"). Default false: every selected property.
        package var deltaChangedPropertiesOnly = false
        /// Leave properties whose value is null out of delta rows, as Graph does: a new user's row
        /// then lacks its empty properties, and a property cleared since the link is not sent at
        /// all. Default false.
        package var deltaOmitsNullProperties = false

        package init() {}
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
