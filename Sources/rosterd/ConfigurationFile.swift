internal import Foundation

/// The JSON configuration file of `rosterd serve` (every key optional):
///
///     {
///       "listen": "0.0.0.0:7443",
///       "dataDirectory": "/var/lib/roster",
///       "tls": { "certificate": "/etc/roster/cert.pem", "privateKey": "/etc/roster/key.pem",
///                "clientCA": "/etc/roster/clients-ca.pem", "plaintext": false,
///                "certificateNames": ["roster.example.com"] },
///       "logLevel": "info",
///       "logFormat": "text",
///       "limits": { "maxConnections": 10000, "maxConcurrentStreams": 100, "maxFrameBytes": 4194304,
///                   "maxRequestBytes": 65536,
///                   "gracePeriodSeconds": 10, "handshakeTimeoutSeconds": 10, "idleTimeoutSeconds": 300,
///                   "requestTimeoutSeconds": 10, "frameTimeoutSeconds": 30, "sendStallTimeoutSeconds": 30,
///                   "maxConnectionAgeSeconds": 0,
///                   "maxQueuedBytes": 8388608, "maxUnsentCalls": 256, "maxHalfOpenHeaderBytes": 262144,
///                   "maxOpenCalls": 10000, "maxRunningSyncs": 16, "maxExecutingCalls": 16,
///                   "maxBackgroundCalls": 1, "maxHeldMetadataBytes": 67108864 },
///       "allowFileDirectories": false,
///       "allowDirectoryHosts": ["graph-proxy.example.com"],
///       "scheduleCheckSeconds": 60,
///       "changeRetention": "7d",
///       "metricsListen": "127.0.0.1:9464",
///       "metricsTenantLabels": false,
///       "application": { "clientID": "…", "clientSecretFile": "/etc/roster/app-secret",
///                        "consentRedirectURI": "https://roster.example.com/consented" },
///       "store": { "url": "postgres://roster@db.example.com:5432/roster?sslmode=verify-full",
///                  "passwordFile": "/etc/roster/db-password", "jobLeaseSeconds": 10,
///                  "streamedApplies": 4 }
///     }
struct ConfigurationFile: Decodable, Equatable {
    struct TLS: Decodable, Equatable {
        var certificate: String?
        var privateKey: String?
        var clientCA: String?
        var plaintext: Bool?
        var certificateNames: [String]?
    }

    struct Limits: Decodable, Equatable {
        var maxConnections: Int?
        var maxConcurrentStreams: Int?
        var maxFrameBytes: Int?
        var maxRequestBytes: Int?
        var gracePeriodSeconds: Int?
        var handshakeTimeoutSeconds: Int?
        var idleTimeoutSeconds: Int?
        var requestTimeoutSeconds: Int?
        var frameTimeoutSeconds: Int?
        var sendStallTimeoutSeconds: Int?
        /// 0 means no limit.
        var maxConnectionAgeSeconds: Int?
        var maxQueuedBytes: Int?
        var maxUnsentCalls: Int?
        var maxHalfOpenHeaderBytes: Int?
        var maxRunningSyncs: Int?
        var maxExecutingCalls: Int?
        var maxBackgroundCalls: Int?
        var maxOpenCalls: Int?
        var maxHeldMetadataBytes: Int?
    }

    var listen: String?
    /// How long the change feed keeps changes (`7d`, `36h`, `90m`, `30s`); "0" turns it off.
    var changeRetention: String?
    var dataDirectory: String?
    var tls: TLS?
    var logLevel: String?
    var logFormat: String?
    var limits: Limits?
    var allowFileDirectories: Bool?
    var allowDirectoryHosts: [String]?
    var scheduleCheckSeconds: Int?
    var metricsListen: String?
    var application: Application?

    /// The server's own multi-tenant application (`rosterd serve --app-client-id`).
    struct Application: Decodable, Equatable {
        var clientID: String?
        var clientSecretFile: String?
        var certificate: Bool?
        var consentRedirectURI: String?
    }
    var metricsTenantLabels: Bool?
    var store: Store?

    /// The PostgreSQL store (`rosterd serve --store`); absent: SQLite in the data directory.
    struct Store: Decodable, Equatable {
        var url: String?
        var passwordFile: String?
        var jobLeaseSeconds: Int?
        var streamedApplies: Int?
    }

    /// Reads `path`; the error names the file and what is wrong.
    static func load(path: String) throws -> ConfigurationFile {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError("cannot read the configuration file \(path): \(error.localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(ConfigurationFile.self, from: data)
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ConfigurationError("\(path): \(key): \(context.debugDescription)")
        } catch {
            throw ConfigurationError("\(path) is not valid JSON of the documented shape: \(error)")
        }
    }
}

/// A configuration mistake, said in words that name the setting.
struct ConfigurationError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
