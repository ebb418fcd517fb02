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
    /// `http://127.0.0.1:PORT/metrics`, when started with `--metrics-listen`.
    private(set) var metricsURL: String?
    private var process: SpawnedProcess?
    private let extraArguments: [String]
    /// `--store …` for `serve` and the subcommands alike; empty: SQLite in the data directory.
    let storeArguments: [String]
    private let allowFileDirectories: Bool

    /// A data directory with tenants `acme` and `beta` (keys of every role); the server is not started.
    /// - Parameter allowFileDirectories: serve with `--allow-file-directories` (the default here).
    /// - Parameter storeArguments: `--store postgres://…` for a PostgreSQL store.
    init(extraArguments: [String] = [], storeArguments: [String] = [], allowFileDirectories: Bool = true) throws {
        dataDirectory = NSTemporaryDirectory() + "rosterd-e2e-" + UUID().uuidString
        self.extraArguments = extraArguments
        self.storeArguments = storeArguments
        self.allowFileDirectories = allowFileDirectories
    }

    deinit {
        process?.send(SIGTERM)
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// Adds a tenant and mints its three keys.
    func addTenant(_ id: String) async throws -> TenantKeys {
        let added = try await Self.run(
            ["tenants", "add", id, "--name", id.capitalized, "--data-dir", dataDirectory] + storeArguments
        )
        let admin = try #require(added.split(separator: "\n").last.map(String.init))
        func key(_ role: String) async throws -> String {
            let output = try await Self.run(
                [
                    "keys", "create", "--tenant", id, "--role", role, "--label", "\(role) of \(id)", "--data-dir",
                    dataDirectory,
                ] + storeArguments
            )
            return try #require(output.split(separator: "\n").last.map(String.init))
        }
        return TenantKeys(admin: admin, editor: try await key("editor"), reader: try await key("reader"))
    }

    /// Starts `rosterd serve` on a free loopback port and waits for its "listening" line.
    func start() async throws {
        try await onOwnThread { try self.startBlocking() }
    }

    private func startBlocking() throws {
        let arguments =
            [
                "serve", "--data-dir", dataDirectory, "--listen", "127.0.0.1:0", "--allow-directory-host", "127.0.0.1",
                "--grace-period", "2", "--schedule-check-seconds", "1", "--log-level", "debug",
            ] + (allowFileDirectories ? ["--allow-file-directories"] : []) + storeArguments + extraArguments
        let process = try SpawnedProcess(try Self.binaryPath(), arguments, output: .pipe, errors: .file(logPath))
        self.process = process
        let output = process.output!
        // The first stdout line: "rosterd listening on 127.0.0.1:PORT (TLS; …)", read on a thread
        // of its own so that a server that never prints it (or hangs) fails this test after a
        // bound instead of blocking the run: killing it ends the read.
        let firstLine = LineReader(output)
        guard let line = firstLine.wait(seconds: 60) else {
            process.send(SIGKILL)
            process.wait()
            self.process = nil
            throw Failure("rosterd printed no \"listening\" line within 60 s; killed it")
        }
        guard line.contains(UInt8(ascii: "\n")) else {
            let ended = process.wait()
            self.process = nil
            throw Failure(
                "rosterd exited before listening (status \(ended?.status ?? -1)): \(String(decoding: line, as: UTF8.self))"
            )
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "listening on 127.0.0.1:"),
            let port = Int(text[range.upperBound...].prefix { $0.isNumber })
        else { throw Failure("unexpected first line from rosterd: \(text)") }
        self.port = port
        metricsURL = text.range(of: "; metrics on ").map { String(text[$0.upperBound...].prefix { !$0.isWhitespace }) }
    }

    /// Sends SIGTERM and waits for the process to exit; returns its status.
    @discardableResult
    func terminate() async -> Int32 {
        (try? await onOwnThread { self.terminateBlocking() }) ?? -1
    }

    private func terminateBlocking() -> Int32 {
        guard let process else { return 0 }
        process.send(SIGTERM)
        self.process = nil
        // A server that does not stop is killed after a bound, and reports the signal.
        guard let ended = process.wait(timeout: .seconds(60)) else {
            process.send(SIGKILL)
            process.wait()
            return -Int32(SIGKILL)
        }
        return ended.status
    }

    /// SIGKILL: no shutdown at all.
    func kill() async {
        _ = try? await onOwnThread { self.killBlocking() }
    }

    private func killBlocking() {
        guard let process else { return }
        process.send(SIGKILL)
        process.wait()
        self.process = nil
    }

    /// Where the server's log lines (standard error) go, across restarts.
    var logPath: String { dataDirectory + "/rosterd.log" }

    /// The server's certificate file (a client's CA file).
    var certificatePath: String { dataDirectory + "/tls-cert.pem" }

    /// A client of the running server with `key`, trusting its certificate.
    func client(key: String?) throws -> RosterClient {
        var configuration = RosterClientConfiguration(
            host: "127.0.0.1",
            port: port,
            security: .tlsTrusting(caFile: certificatePath),
            apiKey: key
        )
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

    /// `rosterd` (or another executable of the package) built beside the test binary (the test
    /// target depends on it).
    static func binaryPath(_ name: String = "rosterd") throws -> String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw Failure("\(name) was not found beside \(CommandLine.arguments[0]); run `swift build` first")
    }
}

struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Reads a pipe up to its first newline (or its end) on a thread of its own.
private final class LineReader: @unchecked Sendable {
    private let lock = NSLock()
    private var line = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = handle.readChunk()
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            self.lock.withLock { self.line = line }
            self.done.signal()
        }.start()
    }

    /// The line (without a newline when the pipe ended first); nil when `seconds` passed.
    func wait(seconds: Double) -> Data? {
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return lock.withLock { line }
    }
}
