import Foundation

/// A command-line tool some tests need (protoc, openssl). On a machine without it those tests are
/// skipped with a printed reason, so `swift test` still passes on a fresh machine; CI sets
/// `ROSTER_REQUIRE_ALL_TESTS=1`, and then they run and fail instead, so nothing is skipped there.
public enum RequiredTool {
    /// Whether `name` is an executable file on the `PATH`.
    public static func isInstalled(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }

    /// Whether the tests needing `name` run: it is installed, or every test must run.
    public static func testsCanRun(needing name: String) -> Bool {
        isInstalled(name) || ProcessInfo.processInfo.environment["ROSTER_REQUIRE_ALL_TESTS"] == "1"
    }
}
