import ChildProcesses
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL cluster for tests: initdb in a temporary directory, trust authentication
/// on loopback only, a free port, started with `pg_ctl start -w` and stopped (and deleted) when its
/// last holder lets go. As root, initdb and pg_ctl run as the `postgres` user (initdb refuses root).
///
/// Tests call ``holding(_:)`` around their runs and ``createDatabase()`` for a fresh database each.
/// On a machine without PostgreSQL, ``unavailableReason`` says why they cannot run; CI sets
/// `ROSTER_REQUIRE_ALL_TESTS=1`, and then the reason is nil and the start fails instead.
public actor PostgresCluster {
    /// The cluster every test of this process shares.
    public static let shared = PostgresCluster()

    /// How a test reaches the running cluster.
    public struct Endpoint: Sendable {
        public var host = "127.0.0.1"
        public var port: Int
        /// The superuser (trust authentication: no password).
        public var user = "postgres"
    }

    /// What went wrong starting, querying or stopping the cluster, with the programs' output.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private struct Running {
        var directory: String
        var endpoint: Endpoint
    }

    private var holders = 0
    /// The start of the running cluster (nil while none runs): its value is how to reach it.
    private var starting: Task<Running, any Error>?
    private var databases = 0

    /// Why the PostgreSQL tests cannot run on this machine, or nil when they can (or must: CI).
    public static var unavailableReason: String? {
        if ProcessInfo.processInfo.environment["ROSTER_REQUIRE_ALL_TESTS"] == "1" { return nil }
        guard PostgresBinaries.locate() != nil else {
            return "PostgreSQL is not installed (apt-get install -y postgresql); CI runs this with "
                + "ROSTER_REQUIRE_ALL_TESTS=1"
        }
        if geteuid() == 0, getpwnam("postgres") == nil {
            return "running as root, and there is no postgres user to run initdb as (apt-get install -y postgresql "
                + "creates one)"
        }
        return nil
    }

    /// Runs `body` while holding the cluster: the cluster, once started, stops when the last holder returns.
    public func holding(_ body: @Sendable () async throws -> Void) async throws {
        holders += 1
        do {
            try await body()
        } catch {
            try await letGo()
            throw error
        }
        try await letGo()
    }

    /// A new empty database (UTF8) in the running cluster, started if needed, and how to reach it.
    public func createDatabase() async throws -> (endpoint: Endpoint, database: String) {
        guard holders > 0 else {
            // Nobody would stop the cluster: hold it around the tests (holding(_:)).
            throw Failure(description: "createDatabase() outside holding(_:); give the suite the cluster trait")
        }
        let running = try await start()
        databases += 1
        let name = "roster_test_\(databases)"
        _ = try await psql("CREATE DATABASE \(name) ENCODING 'UTF8' TEMPLATE template0", database: "postgres")
        return (running.endpoint, name)
    }

    /// Runs `sql` in `database` with psql and returns its rows, one a line, columns split by `|`.
    public func psql(_ sql: String, database: String) async throws -> String {
        guard let starting, let binaries = PostgresBinaries.locate() else {
            throw Failure(description: "the test cluster is not running; call createDatabase() first")
        }
        let running = try await starting.value
        let outcome = try await ChildProcess(
            binaries.psql,
            [
                "-h", running.endpoint.host, "-p", "\(running.endpoint.port)", "-U", running.endpoint.user,
                "-d", database, "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql,
            ],
            environment: ["PGCONNECT_TIMEOUT": "10", "PATH": "/usr/bin:/bin"]
        ).run()
        guard outcome.status == 0 else {
            throw Failure(description: "psql failed (\(outcome.status)) running \(sql): \(outcome.errorText)")
        }
        return outcome.outputText.trimmingCharacters(in: .newlines)
    }

    private func letGo() async throws {
        holders -= 1
        if holders == 0 { try await stop() }
    }

    /// The running cluster, started once however many tests ask at the same time.
    private func start() async throws -> Running {
        if let starting { return try await starting.value }
        let task = Task { try await Self.launch() }
        starting = task
        do {
            return try await task.value
        } catch {
            starting = nil
            throw error
        }
    }

    private static func launch() async throws -> Running {
        guard let binaries = PostgresBinaries.locate() else {
            throw Failure(
                description:
                    "PostgreSQL is required (ROSTER_REQUIRE_ALL_TESTS=1) but initdb, pg_ctl or psql is missing; apt-get install -y postgresql"
            )
        }
        await removeLeftovers(binaries)
        let directory = baseDirectory + "roster-pg-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try String(getpid()).write(toFile: directory + "/owner.pid", atomically: true, encoding: .utf8)
        if geteuid() == 0 {
            // The server runs as postgres: it must own the directory it writes.
            try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: directory)
        }
        do {
            try await run(
                binaries,
                "initdb",
                ["-D", directory + "/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]
            )
            var lastFailure: (any Error)?
            for _ in 0..<3 {
                let port = try Self.freePort()
                try Self.configure(directory: directory, port: port)
                // pg_ctl leaves the server running, and the server holds pg_ctl's output: reading
                // that to its end (as ChildProcess does) would wait for the server to stop. So the
                // output goes to a file and only pg_ctl's exit is awaited.
                let pgCtl = [binaries.directory + "/pg_ctl"]
                let arguments = ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60", "start"]
                let executable = geteuid() == 0 ? "/usr/sbin/runuser" : pgCtl[0]
                let allArguments = (geteuid() == 0 ? ["-u", "postgres", "--"] + pgCtl : []) + arguments
                let outputPath = directory + "/pg_ctl.out"
                try? FileManager.default.removeItem(atPath: outputPath)
                let status = try await onOwnThread {
                    let pgCtlStart = try SpawnedProcess(
                        executable,
                        allArguments,
                        output: .file(outputPath),
                        errors: .sameAsOutput
                    )
                    return pgCtlStart.wait()?.shellStatus ?? -1
                }
                if status == 0 { return Running(directory: directory, endpoint: Endpoint(port: port)) }
                // Most likely another process took the port between the probe and the bind.
                let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
                lastFailure = Failure(description: "pg_ctl start failed (\(status)): \(output)")
            }
            throw lastFailure ?? Failure(description: "pg_ctl start failed")
        } catch {
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: directory)
            throw Failure(description: "\(error)\nserver log:\n\(log)")
        }
    }

    private func stop() async throws {
        guard let starting, let binaries = PostgresBinaries.locate() else { return }
        self.starting = nil
        guard let running = try? await starting.value else { return }
        defer { try? FileManager.default.removeItem(atPath: running.directory) }
        try await Self.run(
            binaries,
            "pg_ctl",
            ["-D", running.directory + "/data", "-m", "fast", "-w", "-t", "60", "stop"]
        )
    }

    /// Runs a server program, as the postgres user when this process is root.
    private static func run(_ binaries: PostgresBinaries, _ program: String, _ arguments: [String]) async throws {
        let executable = binaries.directory + "/" + program
        let process =
            geteuid() == 0
            ? ChildProcess("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments, mergingErrors: true)
            : ChildProcess(executable, arguments, mergingErrors: true)
        let outcome = try await process.run()
        guard outcome.status == 0 else {
            throw Failure(
                description:
                    "\(program) \(arguments.joined(separator: " ")) failed (\(outcome.status)): \(outcome.outputText)"
            )
        }
    }

    /// Where clusters live: /tmp, not $TMPDIR, since the server runs as `postgres` and must reach
    /// its directory through every parent (a TMPDIR under /root would not do).
    private static let baseDirectory = "/tmp/"

    /// Loopback only, no Unix socket, and no durability (a test cluster is thrown away).
    private static func configure(directory: String, port: Int) throws {
        let settings = """

            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = ''
            max_connections = 300
            fsync = off
            synchronous_commit = off
            full_page_writes = off

            """
        let path = directory + "/data/postgresql.conf"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
    }

    /// A port nothing listens on now: bound to 127.0.0.1:0, read back, released.
    private static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) }
        }
        guard bound == 0 else { throw Failure(description: "bind() failed: errno \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        guard named == 0 else { throw Failure(description: "getsockname() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops and deletes clusters left by test processes that died before stopping theirs.
    private static func removeLeftovers(_ binaries: PostgresBinaries) async {
        let temporary = baseDirectory
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []
        for entry in entries where entry.hasPrefix("roster-pg-") {
            let directory = temporary + entry
            guard let text = try? String(contentsOfFile: directory + "/owner.pid", encoding: .utf8),
                let owner = Int32(text), kill(owner, 0) != 0, errno == ESRCH
            else { continue }
            try? await run(
                binaries,
                "pg_ctl",
                ["-D", directory + "/data", "-m", "immediate", "-w", "-t", "30", "stop"]
            )
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}
