import NIOCore
import RosterClient
import RosterRPC
import RosterTLS

/// Where the probes go and with what: a loopback address, the TLS trust root, the API key.
struct AbuseTarget: Sendable {
    let host: String
    let port: Int
    /// The client TLS context shared by every raw connection; nil for plaintext.
    let tlsContext: TLSContext?
    /// The PEM trust root, for RosterClient.
    let caFile: String?
    let apiKey: String?

    /// `authorization: Bearer KEY`, or nothing without a key.
    var authorization: [String: String] { apiKey.map { ["authorization": "Bearer \($0)"] } ?? [:] }

    /// A well-behaved client on a connection of its own: no keepalive, quick retries.
    func makeClient() throws -> RosterClient {
        var configuration = RosterClientConfiguration(
            host: host,
            port: port,
            security: caFile.map { .tlsTrusting(caFile: $0) } ?? .plaintext,
            apiKey: apiKey
        )
        configuration.connection.keepaliveInterval = nil
        configuration.backoff.maxAttempts = 3
        configuration.backoff.initial = .milliseconds(50)
        return try RosterClient(configuration: configuration)
    }
}
