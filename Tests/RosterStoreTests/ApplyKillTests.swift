import ChildProcesses
import Foundation
import RosterStore
import RosterStoreTestSupport
import Testing

/// Kills a process in the middle of applies, many times, and checks what it leaves behind.
@Suite("Apply under SIGKILL")
struct ApplyKillTests {
    static let rows = 3_000
    static let iterations = 40

    @Test("a process killed at random points leaves a sound database holding exactly the old or the new set")
    func killedAtRandomPoints() async throws {
        let helper = try Self.helperPath()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let prepared = try await Self.runToEnd(helper, ["prepare", directory, "\(Self.rows)"])
        let digests = Dictionary(
            uniqueKeysWithValues: prepared.split(separator: "\n").map { line in
                let parts = line.split(separator: " ")
                return (String(parts[0]), String(parts[1]))
            }
        )
        let digestA = try #require(digests["digest-a"])
        let digestB = try #require(digests["digest-b"])
        #expect(digestA != digestB)

        var random = SplitMix(seed: 20_261_126)
        var outcomes: [String: Int] = [:]
        var killedWhile: [String: Int] = [:]
        for iteration in 0..<Self.iterations {
            // Odd iterations spread kill points over start-up, staging and apply by the clock (one
            // apply takes about 100 ms in debug); even ones kill when the helper says an apply has
            // begun, a little later, so that kills land inside applies whatever the machine's speed.
            let delay = Int(random.next() % (iteration % 2 == 0 ? 20_000 : 400_000))
            let child = ChildProcess(helper, ["run", directory, "\(Self.rows)"])
            let run =
                iteration % 2 == 0
                ? try await child.run(killWhenOutputContains: "applying ", after: .microseconds(delay))
                : try await child.run(killAfter: .microseconds(delay))
            #expect(run.reason == .uncaughtSignal, "iteration \(iteration) ended before it was killed")
            // Where the kill landed, from the helper's last progress line.
            let phase =
                run.outputText.split(separator: "\n").last?.split(separator: " ").first.map(String.init) ?? "starting"
            // A kill meant for an apply may land after it on a loaded machine: that is no failure of
            // the store, so only the whole run's count of kills inside applies is checked below.
            killedWhile[phase, default: 0] += 1

            let store = try SQLiteStore(configuration: .init(directory: directory))
            #expect(try await store.integrityCheck() == "ok", "integrity after kill \(iteration) at \(delay) µs")
            let digest = try await store.contactDigest(tenant: "kill-test")
            #expect(digest == digestA || digest == digestB, "kill \(iteration) at \(delay) µs left a mixed contact set")
            outcomes[digest == digestA ? "A" : digest == digestB ? "B" : "mixed", default: 0] += 1
            await store.close()
        }
        #expect(killedWhile["applying", default: 0] >= Self.iterations / 4, "kills inside an apply: \(killedWhile)")
        print("kill test: \(Self.iterations) kills; last step begun: \(killedWhile); contact set found: \(outcomes)")
    }

    /// Runs the helper to completion and returns its standard output.
    static func runToEnd(_ helper: String, _ arguments: [String]) async throws -> String {
        let run = try await ChildProcess(helper, arguments).run()
        guard run.status == 0 else {
            throw StoreError(.invalidArgument, "roster-store-crash-helper \(arguments) exited with \(run.status)")
        }
        return run.outputText
    }

    /// The crash helper built beside the test binary (the test target depends on it).
    static func helperPath() throws -> String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("roster-store-crash-helper").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw StoreError(
            .notFound,
            "roster-store-crash-helper was not found beside \(CommandLine.arguments[0]); run `swift build` first"
        )
    }
}
