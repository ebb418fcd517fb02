import ArgumentParser
import Foundation
import RosterClient
import Testing

@testable import RosterCLI

/// Flags, environment and defaults combined into a connection.
@Suite struct ConnectionOptionsTests {
    @Test func defaultsWithoutFlagsOrEnvironment() throws {
        let resolved = try ConnectionOptions.parse([]).resolve(environment: [:])
        #expect(resolved.host == "127.0.0.1" && resolved.port == 7443)
        #expect(resolved.security == .tls)
        #expect(resolved.apiKey == nil)
        #expect(!resolved.json)
    }

    @Test func environmentFillsWhatFlagsLeaveOut() throws {
        let environment = [
            "ROSTER_ADDRESS": "roster.internal:9000", "ROSTER_CA_FILE": "/etc/roster/ca.pem", "ROSTER_KEY": "env-key",
        ]
        let resolved = try ConnectionOptions.parse(["--json"]).resolve(environment: environment)
        #expect(resolved.host == "roster.internal" && resolved.port == 9000)
        #expect(resolved.security == .tlsTrusting(caFile: "/etc/roster/ca.pem"))
        #expect(resolved.apiKey == "env-key")
        #expect(resolved.json)
        let configuration = resolved.clientConfiguration
        #expect(
            configuration.host == "roster.internal" && configuration.port == 9000 && configuration.apiKey == "env-key"
        )
    }

    @Test func flagsWinOverEnvironment() throws {
        let environment = [
            "ROSTER_ADDRESS": "roster.internal:9000", "ROSTER_CA_FILE": "/env/ca.pem", "ROSTER_KEY": "env-key",
        ]
        let options = try ConnectionOptions.parse([
            "--address", "[::1]:7000", "--ca-file", "/flag/ca.pem", "--key", "flag-key",
        ])
        let resolved = try options.resolve(environment: environment)
        #expect(resolved.host == "::1" && resolved.port == 7000)
        #expect(resolved.security == .tlsTrusting(caFile: "/flag/ca.pem"))
        #expect(resolved.apiKey == "flag-key")
    }

    @Test func plaintextOnlyToLoopback() throws {
        #expect(try ConnectionOptions.parse(["--plaintext"]).resolve(environment: [:]).security == .plaintext)
        #expect(throws: CLIFailure.self) {
            try ConnectionOptions.parse(["--plaintext", "--address", "10.0.0.5:7443"]).resolve(environment: [:])
        }
    }

    @Test func addressForms() throws {
        func parsed(_ text: String) throws -> String {
            let (host, port) = try ConnectionOptions.parseAddress(text)
            return "\(host) \(port)"
        }
        #expect(try parsed("example.com") == "example.com 7443")
        #expect(try parsed("example.com:1") == "example.com 1")
        #expect(try parsed("[fe80::1]") == "fe80::1 7443")
        #expect(try parsed("[::1]:7000") == "::1 7000")
        for bad in ["", ":7443", "host:", "host:70000", "host:x", "fe80::1:7443", "[::1"] {
            #expect(throws: CLIFailure.self, "\(bad)") { try ConnectionOptions.parseAddress(bad) }
        }
    }

    @Test func keyFileIsReadAndTrimmed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("roster-cli-key-\(UUID().uuidString)")
            .path
        try Data("file-key\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let resolved = try ConnectionOptions.parse(["--key-file", path]).resolve(environment: ["ROSTER_KEY": "env-key"])
        #expect(resolved.apiKey == "file-key")
        #expect(throws: CLIFailure.self) {
            try ConnectionOptions.parse(["--key-file", path + ".missing"]).resolve(environment: [:])
        }
    }
}
