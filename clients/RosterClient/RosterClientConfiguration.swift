internal import NIOCore
public import RosterRPC

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Musl)
    internal import Musl
#endif

/// Where a ``RosterClient`` connects and how.
public struct RosterClientConfiguration: Sendable {
    /// How the server's identity is checked.
    public enum Security: Sendable, Hashable {
        /// TLS, trusting the system's root certificates.
        case tls
        /// TLS, trusting the CA certificate(s) in this PEM file (for a self-signed `rosterd`).
        case tlsTrusting(caFile: String)
        /// No TLS: development on loopback only.
        case plaintext
    }

    /// Exponential backoff with jitter between connection attempts.
    public struct Backoff: Sendable, Hashable {
        /// The first wait. Default 100 ms.
        public var initial = Duration.milliseconds(100)
        /// The longest wait. Default 5 s.
        public var maximum = Duration.seconds(5)
        /// Each wait is this many times the last. Default 2.
        public var multiplier = 2.0
        /// Each wait varies randomly by up to this fraction either way. Default 0.2.
        public var jitter = 0.2
        /// Attempts before a call fails with UNAVAILABLE. Default 5.
        public var maxAttempts = 5

        public init() {}

        /// The wait before attempt `attempt` (1 = the first retry).
        public func delay(beforeRetry attempt: Int, random: Double = Double.random(in: -1...1)) -> Duration {
            let base = initial * pow(multiplier, Double(max(attempt - 1, 0)))
            let capped = min(base, maximum)
            return max(capped * (1 + jitter * random), .zero)
        }
    }

    public var host: String
    public var port: Int
    public var security: Security
    /// The name to verify in the server's certificate; defaults to `host`.
    public var serverName: String?
    /// A PEM certificate chain and key to present when the server requires mutual TLS.
    public var clientCertificate: (chain: String, key: String)? {
        get { clientCertificatePaths.map { ($0.chain, $0.key) } }
        set { clientCertificatePaths = newValue.map { CertificatePaths(chain: $0.chain, key: $0.key) } }
    }
    /// The API key sent as `authorization: Bearer <key>` on every call.
    public var apiKey: String?
    /// Limits, keepalive and connect timeout of the connection.
    public var connection = RPCClientConnection.Configuration.defaults
    public var backoff = Backoff()

    struct CertificatePaths: Sendable, Hashable {
        var chain: String
        var key: String
    }

    var clientCertificatePaths: CertificatePaths?

    public init(host: String, port: Int, security: Security, apiKey: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.apiKey = apiKey
    }
}
