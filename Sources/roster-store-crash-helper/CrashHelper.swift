import Foundation
import RosterStore
import RosterStoreTestSupport

/// The child process of the store's kill test (Tests/RosterStoreTests/ApplyKillTests.swift).
///
/// `roster-store-crash-helper prepare DIR ROWS` creates a store in DIR holding contact set A, and
/// prints the content digests of sets A and B. `roster-store-crash-helper run DIR ROWS` then
/// alternates between staging and applying B and A until it is killed, printing each commit.
@main
struct CrashHelper {
    static let tenant = "kill-test"

    static func main() async {
        let arguments = CommandLine.arguments
        guard arguments.count == 4, let rows = Int(arguments[3]), rows >= 10 else {
            FileHandle.standardError.write(
                Data("usage: roster-store-crash-helper prepare|run DIR ROWS (ROWS >= 10)\n".utf8)
            )
            exit(64)
        }
        do {
            let store = try SQLiteStore(configuration: .init(directory: arguments[2]))
            switch arguments[1] {
            case "prepare": try await prepare(store, rows: rows)
            case "run": try await run(store, rows: rows)
            default:
                FileHandle.standardError.write(Data("unknown mode \(arguments[1]); use prepare or run\n".utf8))
                exit(64)
            }
            await store.close()
        } catch {
            FileHandle.standardError.write(Data("roster-store-crash-helper: \(error)\n".utf8))
            exit(1)
        }
    }

    /// Set A: contacts 0 ..< rows. Set B: the first tenth removed, a tenth added, every 7th changed.
    static func set(_ which: Int, rows: Int) -> [ContactRecord] {
        which == 0
            ? SampleContacts.contacts(0..<rows)
            : SampleContacts.contacts((rows / 10)..<(rows + rows / 10), updateEvery: 7)
    }

    static func prepare(_ store: SQLiteStore, rows: Int) async throws {
        try await store.createTenant(
            TenantRecord(
                id: tenant,
                displayName: "Kill test",
                authorityURL: "https://login.example",
                graphBaseURL: "https://graph.example",
                createdAt: 0
            )
        )
        try await applySet(1, store: store, rows: rows, job: "prepare-b")
        say("digest-b \(try await store.contactDigest(tenant: tenant))")
        try await applySet(0, store: store, rows: rows, job: "prepare-a")
        say("digest-a \(try await store.contactDigest(tenant: tenant))")
    }

    static func run(_ store: SQLiteStore, rows: Int) async throws {
        // Leftovers of the previous (killed) run's staging.
        let cleaned = try await store.cleanStaging(except: [])
        say("cleaned \(cleaned)")
        let pid = ProcessInfo.processInfo.processIdentifier
        for iteration in 0..<1_000 {
            try await applySet(
                iteration % 2 == 0 ? 1 : 0,
                store: store,
                rows: rows,
                job: "job-\(pid)-\(iteration)",
                progress: true
            )
            say("applied \(iteration)")
        }
    }

    static func applySet(_ which: Int, store: SQLiteStore, rows: Int, job: String, progress: Bool = false) async throws
    {
        let contacts = set(which, rows: rows)
        if progress { say("staging \(job)") }
        var start = 0
        while start < contacts.count {
            let end = min(start + 500, contacts.count)
            try await store.stage(job: job, contacts: Array(contacts[start..<end]), removals: [])
            start = end
        }
        if progress { say("applying \(job)") }
        _ = try await store.apply(job: job, tenant: tenant, kind: .replaceAll, now: Int64(start), deltaLink: nil)
    }

    static func say(_ line: String) {
        // Unbuffered: the parent reads progress from a process it is about to kill.
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
