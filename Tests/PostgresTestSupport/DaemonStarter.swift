import ChildProcesses
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a program that leaves a daemon behind (`pg_ctl start`) and waits for the program alone.
///
/// The server `pg_ctl` starts inherits pg_ctl's standard output and error, so reading them to
/// their end (as `ChildProcess` does) would wait for the server to stop. Here the output goes to a
/// file and only the program's exit is awaited.
enum DaemonStarter {
    /// Runs `executable` with `arguments`, its output in `outputPath`, and returns its exit status.
    static func run(_ executable: String, _ arguments: [String], outputPath: String) async throws -> Int32 {
        try await onOwnThread { try runBlocking(executable, arguments, outputPath: outputPath) }
    }

    private static func runBlocking(_ executable: String, _ arguments: [String], outputPath: String) throws -> Int32 {
        try? FileManager.default.removeItem(atPath: outputPath)
        let program = try SpawnedProcess(executable, arguments, output: .file(outputPath), errors: .sameAsOutput)
        return program.wait()?.shellStatus ?? -1
    }
}
