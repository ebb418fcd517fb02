import ChildProcesses
import Foundation
import GraphTestDouble
import RosterClient
import RosterWire
import Testing

/// A real `rosterd` child process over TLS (its self-signed certificate) in a temporary data
/// directory, with tenants and keys made by its own subcommands.
final class RosterdProcess: @unchecked Sendable {
    /// The keys of one tenant, by role.
    struct TenantKeys {
        var admin: String
        var editor: String
        var reader: String
    }

    let dataDirectory: String
    private(set) var port = 0
    private var process: Process?
    private let extraArguments: [String]

    /// A data directory with tenants `acme` and `beta` (keys of every role); the server is not started.
    init(extraArguments: [String] = []) throws {
        dataDirectory = NSTemporaryDirectory() + "rosterd-e2e-" + UUID().uuidString
        self.extraArguments = extraArguments
    }

    deinit {
        process?.terminate()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Adds a tenant and mints its three keys.
    func addTenant(_ id: String) async throws -> TenantKeys {
        let added = try await Self.run(["tenants", "add", id, "--name", id.capitalized, "--data-dir", dataDirectory])
        let admin = try #require(added.split(separator: "\n").last.map(String.init))
        func key(_ role: String) async throws -> String {
            let output = try await Self.run(["keys", "create", "--tenant", id, "--role", role, "--label", "\(role) of \(id)", "--data-dir", dataDirectory])
            return try #require(output.split(separator: "\n").last.map(String.init))
        }
        return TenantKeys(admin: admin, editor: try await key("editor"), reader: try await key("reader"))
    }

    /// Starts `rosterd serve` on a free loopback port and waits for its "listening" line.
    func start() async throws {
        try await onOwnThread { try self.startBlocking() }
    }

    private func startBlocking() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binaryPath())
        process.arguments =
            [
                "serve", "--data-dir", dataDirectory, "--listen", "127.0.0.1:0", "--allow-file-directories", "--allow-directory-host", "127.0.0.1",
                "--grace-period", "2", "--schedule-check-seconds", "1", "--log-level", "debug",
            ] + extraArguments
        let output = Pipe()
        process.standardOutput = output
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try log.seekToEnd()
        process.standardError = log
        try process.run()
        self.process = process
        // The first stdout line: "rosterd listening on 127.0.0.1:PORT (TLS; …)".
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw Failure("rosterd exited before listening (status \(process.terminationStatus))") }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "listening on 127.0.0.1:"),
            let port = Int(text[range.upperBound...].prefix { $0.isNumber })
        else { throw Failure("unexpected first line from rosterd: \(text)") }
        self.port = port
    }

    /// Sends SIGTERM and waits for the process to exit; returns its status.
    @discardableResult
    func terminate() async -> Int32 {
        (try? await onOwnThread { self.terminateBlocking() }) ?? -1
    }

    private func terminateBlocking() -> Int32 {
        guard let process else { return 0 }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
        return process.terminationStatus
    }

    /// SIGKILL: no shutdown at all.
    func kill() async {
        _ = try? await onOwnThread { self.killBlocking() }
    }

    private func killBlocking() {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// Where the server's log lines (standard error) go, across restarts.
    var logPath: String { dataDirectory + "/rosterd.log" }

    /// The server's certificate file (a client's CA file).
    var certificatePath: String { dataDirectory + "/tls-cert.pem" }

    /// A client of the running server with `key`, trusting its certificate.
    func client(key: String?) throws -> RosterClient {
        var configuration = RosterClientConfiguration(
            host: "127.0.0.1", port: port, security: .tlsTrusting(caFile: certificatePath), apiKey: key)
        configuration.backoff.maxAttempts = 2
        return try RosterClient(configuration: configuration)
    }

    // MARK: - Running the binary

    @discardableResult
    static func run(_ arguments: [String]) async throws -> String {
        let run = try await ChildProcess(try binaryPath(), arguments, mergingErrors: true).run()
        guard run.status == 0 else {
            throw Failure("rosterd \(arguments.joined(separator: " ")) exited \(run.status): \(run.outputText)")
        }
        return run.outputText
    }

    /// `rosterd` built beside the test binary (the test target depends on it).
    static func binaryPath() throws -> String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("rosterd").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw Failure("rosterd was not found beside \(CommandLine.arguments[0]); run `swift build` first")
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
