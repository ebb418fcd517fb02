import Foundation
import RosterClient
import RosterWire

#if canImport(Glibc)
    import Glibc
#endif

/// A real `rosterd serve` child process over TLS (its generated self-signed certificate) in a
/// fresh temporary data directory, with one tenant made by its own subcommands.
final class Rosterd: @unchecked Sendable {
    let binary: String
    let dataDirectory: String
    private(set) var port = 0
    private var process: Process?
    /// More `rosterd serve` flags.
    var extraArguments: [String] = []
    /// `--store postgres://…` for the subcommands (give it to `extraArguments` too for `serve`).
    var storeArguments: [String] = []

    init(binary: String) {
        self.binary = binary
        dataDirectory = NSTemporaryDirectory() + "roster-sync-bench-" + UUID().uuidString
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    var pid: Int32 { process?.processIdentifier ?? -1 }
    var databasePath: String { dataDirectory + "/roster.sqlite" }
    var certificatePath: String { dataDirectory + "/tls-cert.pem" }

    /// `rosterd tenants add ID` (mints the first admin key); returns that key.
    func addTenant(_ id: String) throws -> String {
        let added = try run(
            ["tenants", "add", id, "--name", id.capitalized, "--data-dir", dataDirectory] + storeArguments
        )
        guard let key = added.split(separator: "\n").last.map(String.init) else {
            throw BenchError("no admin key printed")
        }
        return key
    }

    /// Starts `rosterd serve` on a free loopback port and waits for its "listening" line.
    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments =
            [
                "serve", "--data-dir", dataDirectory, "--listen", "127.0.0.1:0", "--allow-file-directories",
                "--allow-directory-host", "127.0.0.1",
                "--grace-period", "2", "--log-level", "warning",
            ] + extraArguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw BenchError("rosterd exited before listening") }
            line.append(chunk)
        }
        // Keep draining stdout so that the child never blocks on a full pipe.
        let handle = output.fileHandleForReading
        Thread.detachNewThread { while !handle.availableData.isEmpty {} }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: "listening on 127.0.0.1:"),
            let port = Int(text[range.upperBound...].prefix { $0.isNumber })
        else { throw BenchError("unexpected first line from rosterd: \(text)") }
        self.port = port
    }

    func stop() {
        guard let process else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    /// SIGKILL: no shutdown at all.
    func kill() {
        guard let process else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    func client(key: String) throws -> RosterClient {
        var configuration = RosterClientConfiguration(
            host: "127.0.0.1",
            port: port,
            security: .tlsTrusting(caFile: certificatePath),
            apiKey: key
        )
        configuration.backoff.maxAttempts = 3
        return try RosterClient(configuration: configuration)
    }

    // MARK: - /proc

    /// VmRSS of the server, in KiB.
    func rssKiB() -> Int { Self.statusField("VmRSS", pid: pid) }
    /// VmHWM (peak RSS) of the server, in KiB.
    func hwmKiB() -> Int { Self.statusField("VmHWM", pid: pid) }

    /// Resets VmHWM to the current RSS (`echo 5 > /proc/PID/clear_refs`); false when refused.
    @discardableResult
    func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/\(pid)/clear_refs") else { return false }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    /// User + system CPU time of the server so far, in seconds.
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return -1 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After "(comm)": state is field 3, utime field 14, stime field 15.
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return -1 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func statusField(_ name: String, pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            return Int(
                line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map {
                    $0.trimmingCharacters(in: .whitespaces)
                } ?? ""
            ) ?? -1
        }
        return -1
    }

    // MARK: - Subcommands

    @discardableResult
    private func run(_ arguments: [String]) throws -> String {
        try Shell.run(binary, arguments)
    }
}

enum Shell {
    /// Runs a program to completion; its stdout (and stderr) as text; throws on a non-zero status.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], stdin: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: stdin)) }
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw BenchError(
                "\(program) \(arguments.joined(separator: " ").prefix(300)) exited \(process.terminationStatus): \(text.prefix(2000))"
            )
        }
        return text
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
