import Foundation
import Logging
import RosterDirectory
import RosterStore
import RosterSync
import Synchronization
import Testing

/// A real `SQLiteStore` in a temporary directory with one tenant, and a `JobManager` whose
/// directory the test can swap between runs. Job ids are `job-1`, `job-2`, …; the clock advances
/// 10 ms at every reading, so durations are deterministic.
struct SyncFixture {
    static let tenant = "tenant-1"

    let directoryPath: String
    let store: SQLiteStore
    let manager: JobManager
    let source: SourceBox
    /// What the manager's `onNote` was told: job id and note, in order.
    let notes: Notes

    final class Notes: Sendable {
        private let notes = Mutex<[(job: String, note: String)]>([])
        var all: [(job: String, note: String)] { notes.withLock { $0 } }
        func append(_ job: String, _ note: String) { notes.withLock { $0.append((job, note)) } }
    }

    /// Holds the directory the next job reads.
    final class SourceBox: Sendable {
        private let source: Mutex<any DirectorySource>
        init(_ source: any DirectorySource) { self.source = Mutex(source) }
        var current: any DirectorySource {
            get { source.withLock { $0 } }
            set { source.withLock { $0 = newValue } }
        }
    }

    /// A fixture whose tenant reads `source` (default: the demo directory in pages of 100).
    static func make(
        source: (any DirectorySource)? = nil,
        limits: SyncLimits = SyncLimits(),
        maxRunningJobs: Int = 16,
        directories: JobManager.DirectoryFactory? = nil,
        logger: Logger? = nil,
        onContactsChanged: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> SyncFixture {
        let path = NSTemporaryDirectory() + "roster-sync-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var storeConfiguration = SQLiteStore.Configuration(directory: path)
        if let logger { storeConfiguration.logger = logger }
        let store = try SQLiteStore(configuration: storeConfiguration)
        try await store.createTenant(
            TenantRecord(
                id: tenant,
                displayName: "Contoso",
                authorityURL: "https://login.example",
                graphBaseURL: "https://graph.example",
                createdAt: 1_700_000_000_000
            )
        )
        let box = SourceBox(try source ?? demo())
        var configuration = JobManager.Configuration(directories: directories ?? { _, _ in box.current })
        configuration.limits = limits
        configuration.maxRunningJobs = maxRunningJobs
        let counter = Mutex((jobs: 0, clock: Int64(1_700_000_000_000)))
        configuration.makeJobID = {
            counter.withLock {
                $0.jobs += 1; return "job-\($0.jobs)"
            }
        }
        configuration.now = {
            counter.withLock {
                $0.clock += 10; return $0.clock
            }
        }
        let notes = Notes()
        configuration.onNote = { job, note in notes.append(job.id, note) }
        if let logger { configuration.logger = logger }
        configuration.onContactsChanged = onContactsChanged
        let manager = JobManager(store: store, configuration: configuration)
        return SyncFixture(directoryPath: path, store: store, manager: manager, source: box, notes: notes)
    }

    /// The bundled demo directory, served in pages of 100.
    static func demo() throws -> FileDirectory {
        var configuration = FileDirectory.Configuration()
        configuration.pageSize = 100
        return try FileDirectory.demo(configuration: configuration)
    }

    /// Starts `request` (for the fixture's tenant), waits for the job's end and returns its final
    /// progress, which must also be what the store recorded.
    @discardableResult
    func sync(
        _ scope: SyncScope = .allUsers,
        dryRun: Bool = false,
        acknowledge: Bool = false
    ) async throws -> SyncProgress {
        let started = try await manager.start(
            SyncRequest(tenantID: Self.tenant, scope: scope, dryRun: dryRun, acknowledgeRemovals: acknowledge)
        )
        #expect(!started.alreadyRunning)
        await manager.waitForActiveJob(tenant: Self.tenant)
        let final = try #require(manager.progress.latest(job: started.job.id))
        #expect(final.isFinal)
        let record = try #require(try await store.job(id: started.job.id))
        #expect(record.state == final.state)
        return final
    }

    /// Every contact of the tenant, by id, with `changedAt` zeroed and `photoETag` cleared for
    /// comparison with contacts made from directory users.
    func contacts() async throws -> [String: ContactRecord] {
        var result: [String: ContactRecord] = [:]
        var after: String?
        while true {
            let page = try await store.contacts(tenant: Self.tenant, after: after, limit: 500)
            for var contact in page {
                contact.changedAt = 0
                contact.photoETag = nil
                result[contact.id] = contact
            }
            guard let last = page.last else { return result }
            after = last.id
        }
    }

    /// Changes the tenant's stored options.
    func updateTenant(_ change: (inout TenantRecord) -> Void) async throws {
        var tenant = try #require(try await store.tenant(id: Self.tenant))
        change(&tenant)
        try await store.updateTenant(tenant)
    }

    /// Closes the store and deletes its directory.
    func tearDown() async {
        await store.close()
        try? FileManager.default.removeItem(atPath: directoryPath)
    }
}

/// What the tests expect of the demo directory, computed here from the export itself.
enum Demo {
    static let ukStaff = "a6d0c158-fefe-420d-a422-99f8bb3435a4"
    static let europeStaff = "ddff47f8-6f01-4d84-b8ca-b6b35a716d3f"
    static let ukNewsletter = "7c833e6e-858e-40a6-bc82-f2149b6aa6ee"
    static let ukMarketingTeam = "fd0cbf15-74b0-401c-ab2e-1247ebe07548"
    static let vpnUsers = "42d82e04-e057-4a09-bd6d-bda55f5a6653"

    /// The contacts an exact sync of `users` leaves, by id.
    static func expected(_ users: [DirectoryUser], includeDisabled: Bool = false) -> [String: ContactRecord] {
        var result: [String: ContactRecord] = [:]
        for user in users where user.userType == "Member" && (includeDisabled || user.accountEnabled != false) {
            result[user.id] = ContactRecord(user)
        }
        return result
    }

    /// The users reachable from `group` through nested groups (an independent walk of the export).
    static func transitiveUsers(of group: String, in export: FileDirectory.Export) -> [DirectoryUser] {
        let users = Dictionary(export.users.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var seen: Set<String> = [group]
        var queue = [group]
        var result: [String: DirectoryUser] = [:]
        while let next = queue.popLast() {
            for member in export.members[next] ?? [] where seen.insert(member).inserted {
                if let user = users[member] { result[member] = user } else { queue.append(member) }
            }
        }
        return Array(result.values)
    }
}

/// A condition a test waited for that never came.
struct NeverHappened: Error, CustomStringConvertible {
    var description: String
}

/// Polls `condition` until it holds, for at most `seconds` (generous: a loaded 2-core machine
/// running the suite in parallel can be slow; a passing test never waits that long). Throws,
/// failing only the test that waits, when it never holds: a wait never hangs the run.
func waitFor(_ what: String, seconds: Double = 120, _ condition: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while !(await condition()) {
        guard ContinuousClock.now < deadline else {
            throw NeverHappened(description: "\(what): not within \(seconds) s")
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// Waits for the next signal on `stream`, for at most `seconds`; throws when none came (a job
/// that failed before its gate, say), so that the test fails instead of hanging the run.
func waitForSignal(_ what: String, _ stream: AsyncStream<Void>, seconds: Double = 120) async throws {
    let arrived = await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            for await _ in stream { return true }
            return false
        }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
    guard arrived else { throw NeverHappened(description: "\(what): no signal within \(seconds) s") }
}
