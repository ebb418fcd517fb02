public import ArgumentParser
internal import Foundation
public import RosterClient

/// The options every command takes: where the server is, how to trust it, the API key, `--json`.
/// Flags take precedence over the environment (`ROSTER_ADDRESS`, `ROSTER_CA_FILE`, `ROSTER_KEY`).
public struct ConnectionOptions: ParsableArguments, Sendable {
    /// The address used when neither `--address` nor `ROSTER_ADDRESS` is given.
    public static let defaultAddress = "127.0.0.1:7443"

    @Option(
        help: ArgumentHelp(
            "The server as host:port (env ROSTER_ADDRESS; default \(Self.defaultAddress)).",
            valueName: "host:port"
        )
    )
    public var address: String?

    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp(
            "PEM CA certificate to trust; rosterd's self-signed certificate works (env ROSTER_CA_FILE; default: the system roots).",
            valueName: "path"
        )
    )
    public var caFile: String?

    @Option(
        help: ArgumentHelp(
            "The API key. Prefer the environment variable ROSTER_KEY: arguments show up in shell history and ps.",
            valueName: "key"
        )
    )
    public var key: String?

    @Option(help: ArgumentHelp("Read the API key from this file.", valueName: "path"))
    public var keyFile: String?

    @Flag(help: "No TLS (development only; loopback addresses only).")
    public var plaintext = false

    @Flag(help: "Write JSON (one object per line) instead of text, for scripts.")
    public var json = false

    public init() {}

    /// The connection these options and `environment` describe.
    public func resolve(environment: [String: String]) throws(CLIFailure) -> ResolvedConnection {
        let addressText = nonEmpty(address) ?? nonEmpty(environment["ROSTER_ADDRESS"]) ?? Self.defaultAddress
        let (host, port) = try Self.parseAddress(addressText)
        let security: RosterClientConfiguration.Security
        if plaintext {
            guard Self.isLoopback(host) else {
                throw CLIFailure(
                    "--plaintext is only allowed to a loopback address, not \(host)",
                    hint: "use TLS with --ca-file / ROSTER_CA_FILE"
                )
            }
            security = .plaintext
        } else if let caFile = nonEmpty(caFile) ?? nonEmpty(environment["ROSTER_CA_FILE"]) {
            security = .tlsTrusting(caFile: caFile)
        } else {
            security = .tls
        }
        var apiKey = nonEmpty(key)
        if apiKey == nil, let keyFile = nonEmpty(keyFile) {
            apiKey = try readSecretFile(keyFile, what: "API key")
        }
        if apiKey == nil { apiKey = nonEmpty(environment["ROSTER_KEY"]) }
        return ResolvedConnection(
            address: addressText,
            host: host,
            port: port,
            security: security,
            apiKey: apiKey,
            json: json
        )
    }

    /// Splits `host:port`, `[v6]:port` or a bare host (port 7443).
    public static func parseAddress(_ text: String) throws(CLIFailure) -> (host: String, port: Int) {
        guard let address = RosterClientConfiguration.parseAddress(text) else { throw badAddress(text) }
        return address
    }

    private static func badAddress(_ text: String) -> CLIFailure {
        CLIFailure("invalid server address \"\(text)\"", hint: "use host:port, e.g. --address \(defaultAddress)")
    }

    private static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}

/// Server address, trust and key after flags and environment were combined.
public struct ResolvedConnection: Sendable, Equatable {
    /// The address as the operator gave it, for messages.
    public var address: String
    public var host: String
    public var port: Int
    public var security: RosterClientConfiguration.Security
    public var apiKey: String?
    public var json: Bool

    /// The client configuration for this connection.
    public var clientConfiguration: RosterClientConfiguration {
        var configuration = RosterClientConfiguration(host: host, port: port, security: security, apiKey: apiKey)
        // An operator waits at most about two seconds for a server that is not there.
        configuration.backoff.maxAttempts = 4
        return configuration
    }
}

/// `value` unless it is nil or empty.
func nonEmpty(_ value: String?) -> String? {
    guard let value, !value.isEmpty else { return nil }
    return value
}

/// The contents of a secret file without surrounding whitespace (editors add a final newline).
func readSecretFile(_ path: String, what: String) throws(CLIFailure) -> String {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
        throw CLIFailure("cannot read the \(what) file \(path)", exitCode: RosterExitCode.failure)
    }
    let secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard !secret.isEmpty else { throw CLIFailure("the \(what) file \(path) is empty") }
    return secret
}
