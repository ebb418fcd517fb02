package import CoreMetrics
package import Logging

extension GraphDirectory {
    /// How to reach one tenant's directory, and how patient to be with it.
    ///
    /// The credentials are required; everything else has a documented default that suits the public
    /// cloud. Tests point ``authority`` and ``graphBaseURL`` at a local double and inject ``sleep``.
    package struct Configuration: Sendable {
        /// The directory (tenant) id or verified domain the token is asked for.
        package var directoryTenantID: String
        /// The application (client) id of the app registration.
        package var clientID: String
        /// The client secret. Never printed: its description is redacted.
        package var clientSecret: ClientSecret

        /// Signs a client assertion in place of the secret (certificate credentials), when set;
        /// ``clientSecret`` is then not sent. Default nil.
        package var clientAssertionSigner: (any ClientAssertionSigner)?
        /// Token endpoint host. Default `https://login.microsoftonline.com` (national clouds differ).
        package var authority = "https://login.microsoftonline.com"
        /// Graph host. Default `https://graph.microsoft.com`. `@odata.nextLink`s are only followed
        /// when they stay on this host (the bearer token is never sent elsewhere).
        package var graphBaseURL = "https://graph.microsoft.com"
        /// Whether ``clientID`` is a multi-tenant application that the directory's administrator
        /// authorizes by admin consent: the token endpoint's "application not found in the
        /// directory" (AADSTS700016) then means consent was never given, not a wrong client id.
        /// Default false.
        package var isMultiTenantApplication = false
        /// The OAuth scope asked for. Default nil: `https://<graph host>/.default` for the Microsoft
        /// clouds, else `{graphBaseURL}/.default` (``DirectoryEndpoints/tokenScope(graphBaseURL:configured:)``).
        /// A Graph-compatible proxy at another URL sets the scope of the Graph it fronts.
        package var tokenScope: String?
        /// The scope the token is asked for.
        package var effectiveTokenScope: String {
            DirectoryEndpoints.tokenScope(graphBaseURL: graphBaseURL, configured: tokenScope)
        }
        /// Additional user properties (``UserAttributes``, canonical names) added to every user
        /// request's `$select` and read into `DirectoryUser.attributes`. Default none.
        package var attributes: [String] = []
        /// `$top` for users, groups and members. Default 999, Graph's maximum.
        package var pageSize = 999
        /// Deadline of one HTTP request, body included. Default 60 s.
        package var requestTimeout: Duration = .seconds(60)
        /// Largest accepted response body. Default 16 MiB (a 999-user page with every contact field
        /// is about 1 MiB).
        package var maximumResponseBytes = 16 * 1024 * 1024
        /// Largest profile photo downloaded; a larger one fails its user's photo with
        /// ``DirectoryError/Code/limitExceeded``. Default 4,000,000 bytes (4 MB, Graph's upload
        /// limit for a photo), which leaves room for GetContactPhoto's other fields in a 4 MiB
        /// RPC frame.
        package var maximumPhotoBytes = 4_000_000
        /// Attempts per request, the first included, for throttling, 5xx and network failures.
        /// Default 6.
        package var maximumAttempts = 6
        /// The longest `Retry-After` honoured; a longer one fails the request as throttled so the
        /// job can be retried later instead of hanging. Default 15 minutes.
        package var maximumRetryAfter: Duration = .seconds(900)
        /// First backoff when the directory gives no `Retry-After`; doubles per attempt, with full
        /// jitter. Default 1 s.
        package var backoffBase: Duration = .seconds(1)
        /// Upper bound of one backoff. Default 60 s.
        package var backoffCap: Duration = .seconds(60)
        /// A cached token is renewed when it has less than this left. Default 5 minutes.
        package var tokenRenewalMargin: Duration = .seconds(300)
        /// Waits between attempts. Default `Task.sleep(for:)`; tests inject one that records.
        package var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
        /// Told about every wait caused by throttling (429, 503, 504) before it starts, so a sync
        /// can show it in its progress. Default: nothing.
        package var onThrottle: @Sendable (ThrottleWait) -> Void = { _ in }
        /// Where `roster_graph_requests_total{outcome}` and `roster_graph_throttle_wait_seconds`
        /// go (``GraphRequestOutcome``). Default: nowhere.
        package var metrics: any MetricsFactory = NOOPMetricsHandler.instance
        /// Retries and failures are logged here, without secrets or tokens. Default label
        /// `roster.directory.graph`.
        package var logger = Logger(label: "roster.directory.graph")

        /// A configuration for the given app registration with every default.
        package init(directoryTenantID: String, clientID: String, clientSecret: ClientSecret) {
            self.directoryTenantID = directoryTenantID
            self.clientID = clientID
            self.clientSecret = clientSecret
        }
    }

    /// A client secret: kept out of every description, log line and error message.
    package struct ClientSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
        /// The secret itself; read it only to send it to the token endpoint.
        package let value: String

        package init(_ value: String) {
            self.value = value
        }

        package var description: String { "<redacted>" }
        package var debugDescription: String { "<redacted>" }
    }

    /// One wait imposed by the directory's throttling.
    package struct ThrottleWait: Sendable, Hashable {
        /// How long the client waits before its next attempt.
        package var duration: Duration
        /// The HTTP status that caused it: 429, 503 or 504.
        package var status: Int
        /// Whether the duration is the directory's `Retry-After` (else a computed backoff).
        package var fromRetryAfter: Bool
        /// The attempt that was throttled, 1 for the first.
        package var attempt: Int

        package init(duration: Duration, status: Int, fromRetryAfter: Bool, attempt: Int) {
            self.duration = duration
            self.status = status
            self.fromRetryAfter = fromRetryAfter
            self.attempt = attempt
        }
    }
}
