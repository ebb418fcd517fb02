import ChildProcesses
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program that leaves a daemon behind (`pg_ctl start`) and waits for the program alone.
///
/// Foundation's `Process` learns that its child exited when a socket the child inherited closes;
/// the server `pg_ctl` starts inherits that socket too and keeps it open, so `Process` (and
/// `ChildProcess`) would wait for the server to stop. Here the program is spawned with the file
/// descriptors above standard error closed, its output goes to a file, and `waitpid` waits for it.
enum DaemonStarter {
    /// Runs `executable` with `arguments`, its output in `outputPath`, and returns its exit status.
    static func run(_ executable: String, _ arguments: [String], outputPath: String) async throws -> Int32 {
        try await onOwnThread { try runBlocking(executable, arguments, outputPath: outputPath) }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String], outputPath: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Every descriptor above 2 that is open now, and a margin for any another thread opens
        // meanwhile (closing one that is not open is no error in glibc's posix_spawn).
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) }
        let highest = (open?.max() ?? 1_024) + 256
        if highest > 3 {
            for descriptor in 3...highest { posix_spawn_file_actions_addclose(&actions, descriptor) }
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0)=\($1)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw PostgresCluster.Failure(
                description: "cannot start \(executable): \(String(cString: strerror(spawned)))"
            )
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else {
                throw PostgresCluster.Failure(description: "waitpid for \(executable) failed: errno \(errno)")
            }
        }
        // WIFEXITED / WEXITSTATUS, which Swift cannot import (macros).
        return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
