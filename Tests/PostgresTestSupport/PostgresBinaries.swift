import ChildProcesses
import Foundation

/// Where the installed PostgreSQL's server programs are: the directory holding `initdb`, `pg_ctl`
/// and `postgres` (on the PATH, or Debian's /usr/lib/postgresql/VERSION/bin), and `psql`.
public struct PostgresBinaries: Sendable {
    /// The directory of initdb, pg_ctl and postgres.
    public var directory: String
    /// The psql client.
    public var psql: String

    /// The installed programs, or nil when initdb, pg_ctl or psql is missing.
    public static func locate() -> PostgresBinaries? {
        let fileManager = FileManager.default
        var candidates: [String] = []
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for entry in path.split(separator: ":") where fileManager.isExecutableFile(atPath: "\(entry)/initdb") {
            // /usr/local/bin/initdb may be a link into the version's directory: follow it.
            let resolved = URL(fileURLWithPath: "\(entry)/initdb").resolvingSymlinksInPath().path
            candidates.append((resolved as NSString).deletingLastPathComponent)
        }
        let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        guard
            let directory = candidates.first(where: { candidate in
                ["initdb", "pg_ctl", "postgres"].allSatisfy {
                    fileManager.isExecutableFile(atPath: "\(candidate)/\($0)")
                }
            })
        else { return nil }
        let psql =
            fileManager.isExecutableFile(atPath: "\(directory)/psql")
            ? "\(directory)/psql"
            : path.split(separator: ":").map { "\($0)/psql" }.first { fileManager.isExecutableFile(atPath: $0) }
        guard let psql else { return nil }
        return PostgresBinaries(directory: directory, psql: psql)
    }
}
