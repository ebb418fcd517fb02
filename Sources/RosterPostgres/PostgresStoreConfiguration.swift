internal import Foundation
package import Logging
internal import NIOSSL
internal import PostgresNIO
package import RosterStore

/// Where a ``PostgresStore`` connects, as whom, and how.
///
/// Written as `postgres://USER@HOST:PORT/DB?sslmode=require`; the password never appears in it (it
/// would show in `ps` and shell history): it comes from the environment or a file instead.
package struct PostgresStoreConfiguration: Sendable, CustomStringConvertible {
    /// Whether and how the connection is encrypted.
    package enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP (loopback or a trusted network only).
        case disable
        /// TLS required; the server's certificate is not verified (libpq's `require`).
        case require
        /// TLS required, the certificate verified against the system's trust roots and the host name.
        case verifyFull = "verify-full"
    }

    /// The server's host name or address.
    package var host: String
    /// The server's port. Default 5432.
    package var port: Int
    /// The role to log in as.
    package var username: String
    /// Its password, when the server asks for one.
    package var password: String?
    /// The database holding Roster's tables.
    package var database: String
    /// TLS to the database. Default `.disable`.
    package var tls: TLSMode = .disable
    /// The most connections the pool opens. Default 10. (Each replica also holds one more, which
    /// listens for the other replicas' news.)
    package var maximumConnections = 10
    /// How long a sync job's lease lasts past its last renewal: once it has run out (the replica
    /// running the job died or lost the database), another replica marks the job INTERRUPTED.
    /// Renewed every fifth of it. Default 10 s.
    package var jobLease: Duration = .seconds(10)
    /// The most first syncs that write their contacts while they fetch (``StreamedApply``), each
    /// on a connection of its own beside the pool, holding one transaction open until it commits.
    /// Default 4; 0: every sync stages its pages and applies them at the end.
    package var maximumStreamedApplies = 4
    /// How long a streamed apply's write waits for another transaction holding rows with the same
    /// ids (only a replica that lost the job's lease and still writes could) before it fails the
    /// run. Default 10 s.
    package var streamedApplyLockWait: Duration = .seconds(10)
    /// Whether applies log their changes to the tenant's change feed. Default true.
    package var logsChanges = true
    /// Where the store logs (migrations at notice, applies at debug). Default: nowhere.
    package var logger = Logger(label: "roster.store", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A configuration for `username` at `host:port`, database `database`, without TLS.
    package init(host: String, port: Int = 5432, username: String, password: String? = nil, database: String) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }

    /// Parses `postgres://USER@HOST[:PORT]/DB[?sslmode=disable|require|verify-full]` (or
    /// `postgresql://`). A URL holding a password is refused: pass it through the environment or a file.
    package init(url text: String) throws(StoreError) {
        func invalid(_ reason: String) -> StoreError {
            StoreError(
                .invalidArgument,
                "the store \(Self.redacted(text)) \(reason); write it as postgres://USER@HOST:PORT/DATABASE"
                    + "[?sslmode=require]"
            )
        }
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else { throw invalid("is not a postgres:// URL") }
        guard components.password == nil else {
            throw StoreError(
                .invalidArgument,
                "the store URL holds a password, which would show in the process list and shell history; remove it "
                    + "and set ROSTERD_STORE_PASSWORD or pass --store-password-file instead"
            )
        }
        guard let user = components.user, !user.isEmpty else { throw invalid("names no user") }
        guard let host = components.host, !host.isEmpty else { throw invalid("names no host") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw invalid("names no database") }
        self.init(host: host, port: components.port ?? 5432, username: user, database: database)
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: item.value ?? "") else {
                    throw invalid(
                        "has sslmode=\(item.value ?? ""); use one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                tls = mode
            default:
                throw invalid("has an unknown option \(item.name); only sslmode is understood")
            }
        }
    }

    /// `postgres://USER@HOST:PORT/DB` (never the password).
    package var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// Whether `text` names a PostgreSQL store rather than a directory.
    package static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// `text` with any password replaced, for messages.
    private static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "REDACTED"
        return components.string ?? "(unreadable URL)"
    }

    /// The configuration of the one connection that migrates at open.
    func connectionConfiguration() throws(StoreError) -> PostgresConnection.Configuration {
        var tls = PostgresConnection.Configuration.TLS.disable
        if let tlsConfiguration {
            do {
                tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
            } catch {
                throw StoreError(
                    .database,
                    "cannot set up TLS to PostgreSQL: \(error); check the system's CA certificates"
                )
            }
        }
        var configuration = PostgresConnection.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tls
        )
        configuration.options.tlsServerName = tlsServerName
        return configuration
    }

    /// The configuration of the pool.
    func clientConfiguration() -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host,
            port: port,
            username: username,
            password: password,
            database: database,
            tls: tlsConfiguration.map { PostgresClient.Configuration.TLS.require($0) } ?? .disable
        )
        configuration.options.maximumConnections = maximumConnections
        configuration.options.tlsServerName = tlsServerName
        return configuration
    }

    /// TLS as ``tls`` asks: nil when disabled; without certificate checks for `require`.
    private var tlsConfiguration: TLSConfiguration? {
        guard tls != .disable else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        if tls == .require { configuration.certificateVerification = .none }
        return configuration
    }

    /// The name the certificate must carry (verify-full only).
    private var tlsServerName: String? { tls == .verifyFull ? host : nil }
}
