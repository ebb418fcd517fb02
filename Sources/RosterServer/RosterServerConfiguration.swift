package import Logging
package import RosterRPC
package import RosterStore
package import RosterTLS

/// Everything a running `rosterd` needs: where to listen, TLS, where its data lives, limits.
///
/// `rosterd` fills it from its configuration file, then the environment, then flags.
package struct RosterServerConfiguration: Sendable {
    /// How the listener secures connections.
    package enum TLSMode: Sendable, Hashable {
        /// The operator's certificate chain and key (PEM files), and optionally a CA whose client
        /// certificates are required (mutual TLS).
        case files(certificateChain: String, privateKey: String, clientCA: String?)
        /// A self-signed certificate generated into the data directory on first start.
        case selfSigned
        /// No TLS: development on loopback only.
        case plaintext
    }

    /// Address to listen on. Default 127.0.0.1.
    package var host = "127.0.0.1"
    /// Port; 0 picks a free one. Default 7443.
    package var port = 7443
    /// The data directory: database, master key, generated certificate.
    package var dataDirectory: String
    /// Opens the store, given the data directory (where the master key is) and the server's logger;
    /// nil, the default, opens SQLite in the data directory. `rosterd serve --store` sets it.
    package var openStore: (@Sendable (_ dataDirectory: String, _ logger: Logger) async throws -> any ClosableStore)?
    package var tls: TLSMode = .selfSigned
    /// Extra names (DNS or IP) for a generated certificate, beyond localhost and loopback addresses.
    package var certificateNames: [String] = []
    /// The listener's limits and clocks, per connection and over all connections. Its
    /// `gracePeriod` is the server's: how long calls and running sync jobs may go on after
    /// SIGTERM before they are stopped (jobs then end INTERRUPTED).
    package var rpc = RPCServerLimits.defaults
    /// Sync jobs running at once over all tenants; the rest wait QUEUED, in order.
    package var maxRunningSyncs = 16
    /// Whether tenants may use `demo:` and `file://` directories.
    package var allowFileDirectories = false
    /// Directory hosts tenants may use beyond the Microsoft clouds' (a Graph-compatible proxy, a
    /// local test double).
    package var allowedDirectoryHosts: [String] = []
    /// How often automatic syncs are checked for being due.
    package var scheduleCheckInterval: Duration = .seconds(60)
    /// How long the change feed keeps contact changes; nil turns the feed off (nothing is logged
    /// and its calls answer FAILED_PRECONDITION). Default 7 days.
    package var changeRetention: Duration? = .seconds(7 * 24 * 60 * 60)
    /// Log level of the server's log lines.
    package var logLevel: Logger.Level = .info
    /// How log lines are written: text (swift-log's stream format) or one JSON object per line.
    package var logFormat: LogFormat = .text
    /// The Prometheus endpoint; nil, the default, serves no metrics and counts nothing.
    package var metrics: MetricsEndpoint?
    /// The server's own multi-tenant application; nil, the default: every tenant connects with its
    /// own app registration.
    package var application: Application?

    /// One app registration for every tenant, each authorized by its administrator's admin consent.
    package struct Application: Sendable {
        /// The application (client) id.
        package var clientID: String
        /// Its client secret (read from a file, never a flag's value); empty with a certificate.
        package var clientSecret: String
        /// Its certificate credential (`rosterd app-certificate create`), used instead of a secret.
        package var certificate: ApplicationCertificate?
        /// A redirect URI of the app registration, where Entra sends the administrator after
        /// consent; nil leaves it out of the consent URL.
        package var consentRedirectURI: String?

        package init(
            clientID: String,
            clientSecret: String = "",
            certificate: ApplicationCertificate? = nil,
            consentRedirectURI: String? = nil
        ) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.certificate = certificate
            self.consentRedirectURI = consentRedirectURI
        }
    }

    /// Where `/metrics` is served, in Prometheus text format over plain HTTP, and what it may name.
    package struct MetricsEndpoint: Sendable, Hashable {
        /// Address to listen on, e.g. 127.0.0.1.
        package var host: String
        /// Port; 0 picks a free one.
        package var port: Int
        /// Whether the job and contact metrics carry a `tenant` label (the tenant's id). Default
        /// false: without it no label names a tenant, and the series stay few.
        package var tenantLabels = false

        package init(host: String, port: Int, tenantLabels: Bool = false) {
            self.host = host
            self.port = port
            self.tenantLabels = tenantLabels
        }
    }

    /// The defaults, with data in `dataDirectory`.
    package init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }
}
