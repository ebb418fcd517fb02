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

        /// A backoff with every setting given here or left at its default.
        public init(
            initial: Duration = .milliseconds(100),
            maximum: Duration = .seconds(5),
            multiplier: Double = 2.0,
            jitter: Double = 0.2,
            maxAttempts: Int = 5
        ) {
            self.initial = initial
            self.maximum = maximum
            self.multiplier = multiplier
            self.jitter = jitter
            self.maxAttempts = maxAttempts
        }

        /// The wait before attempt `attempt` (1 = the first retry).
        public func delay(beforeRetry attempt: Int, random: Double = Double.random(in: -1...1)) -> Duration {
            let base = initial * pow(multiplier, Double(max(attempt - 1, 0)))
            let capped = min(base, maximum)
            return max(capped * (1 + jitter * random), .zero)
        }
    }

    /// The server's host name or IP address.
    public var host: String
    /// The server's port. Default 7443, rosterd's.
    public var port: Int
    /// How the server's identity is checked. Default ``Security/tls`` (the system's roots).
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
    /// The deadline of every unary call that gives no `timeout` of its own; nil (the default):
    /// no deadline. Streaming calls (``RosterClient/watchProgress(jobID:timeout:)``) take only
    /// their own, since they last as long as a sync.
    public var defaultTimeout: Duration?
    /// Limits, keepalive and connect timeout of the connection.
    public var connection = RPCClientConnection.Configuration.defaults
    /// How connection attempts are spaced and how many are made.
    public var backoff = Backoff()

    struct CertificatePaths: Sendable, Hashable {
        var chain: String
        var key: String
    }

    var clientCertificatePaths: CertificatePaths?

    /// The port rosterd listens on unless told otherwise.
    public static let defaultPort = 7443

    /// A configuration with every setting given here or left at its default.
    ///
    ///     let configuration = RosterClientConfiguration(
    ///         host: "roster.internal",
    ///         security: .tlsTrusting(caFile: "/etc/roster/ca.pem"),
    ///         apiKey: key,
    ///         defaultTimeout: .seconds(5)
    ///     )
    public init(
        host: String,
        port: Int = defaultPort,
        security: Security = .tls,
        apiKey: String? = nil,
        serverName: String? = nil,
        defaultTimeout: Duration? = nil,
        connection: RPCClientConnection.Configuration = .defaults,
        backoff: Backoff = Backoff()
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.apiKey = apiKey
        self.serverName = serverName
        self.defaultTimeout = defaultTimeout
        self.connection = connection
        self.backoff = backoff
    }

    /// A configuration for the server at `address`: `host:port`, `[v6-address]:port`, or a bare
    /// host (port 7443), as `ROSTER_ADDRESS` holds it for the `roster` CLI.
    ///
    /// - Throws: ``RosterError`` INVALID_ARGUMENT when `address` is none of those.
    public init(
        address: String,
        security: Security = .tls,
        apiKey: String? = nil,
        serverName: String? = nil,
        defaultTimeout: Duration? = nil,
        connection: RPCClientConnection.Configuration = .defaults,
        backoff: Backoff = Backoff()
    ) throws {
        guard let (host, port) = Self.parseAddress(address) else {
            throw RPCError(
                .invalidArgument,
                "invalid server address \"\(address)\"; use host:port, e.g. roster.example.com:7443"
            )
        }
        self.init(
            host: host,
            port: port,
            security: security,
            apiKey: apiKey,
            serverName: serverName,
            defaultTimeout: defaultTimeout,
            connection: connection,
            backoff: backoff
        )
    }

    /// Splits `host:port`, `[v6]:port` or a bare host (port 7443); nil when it is none of those.
    public static func parseAddress(_ text: String) -> (host: String, port: Int)? {
        var host = text
        var portText: String?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                portText = String(rest.dropFirst())
            }
        } else if let colon = text.lastIndex(of: ":") {
            guard text.firstIndex(of: ":") == colon else { return nil }
            host = String(text[..<colon])
            portText = String(text[text.index(after: colon)...])
        }
        guard !host.isEmpty else { return nil }
        guard let portText else { return (host, defaultPort) }
        guard let port = Int(portText), (1...65535).contains(port) else { return nil }
        return (host, port)
    }
}
