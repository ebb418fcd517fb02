import Foundation
import RosterDirectory

/// `roster-directory-bench`: one full user listing through ``GraphDirectory`` against a running
/// `graph-double`, every page decoded and handed to a no-op stage. Prints one line:
/// `users=N pages=P seconds=S vmhwm_kib=K`. Run by `scripts/bench-directory.sh` (release mode).
///
///     roster-directory-bench --base http://127.0.0.1:PORT [--tenant T] [--client-id C] [--secret S]
@main
struct DirectoryBench {
    static func main() async throws {
        var arguments = CommandLine.arguments.dropFirst()
        var base: String?
        var tenant = "double-tenant"
        var clientID = "roster-app"
        var secret = "double-secret"
        while let flag = arguments.popFirst(), let value = arguments.popFirst() {
            switch flag {
            case "--base": base = value
            case "--tenant": tenant = value
            case "--client-id": clientID = value
            case "--secret": secret = value
            default:
                FileHandle.standardError.write(Data("unknown option \(flag)\n".utf8))
                exit(2)
            }
        }
        guard let base else {
            FileHandle.standardError.write(Data("usage: roster-directory-bench --base http://127.0.0.1:PORT\n".utf8))
            exit(2)
        }
        var configuration = GraphDirectory.Configuration(
            directoryTenantID: tenant,
            clientID: clientID,
            clientSecret: .init(secret)
        )
        configuration.authority = base
        configuration.graphBaseURL = base
        let directory = GraphDirectory(configuration: configuration)

        let clock = ContinuousClock()
        let started = clock.now
        var users = 0
        var pages = 0
        for try await page in directory.users() {
            users += page.items.count
            pages += 1
            stage(page)
        }
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("users=\(users) pages=\(pages) seconds=\(String(format: "%.3f", seconds)) vmhwm_kib=\(peakRSS())")
    }

    /// The staging step's stand-in: receives each page and does nothing with it.
    @inline(never)
    static func stage(_ page: DirectoryPage<DirectoryUser>) {
        withExtendedLifetime(page) {}
    }

    /// VmHWM (peak resident set) from /proc/self/status, in KiB.
    static func peakRSS() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
        }
        return -1
    }
}
