import RosterDirectory
import RosterStore
import RosterSync
import Testing

/// The demo directory, except that its user listing holds everything after the first page until
/// the test opens the gate, and tells the test when that point is reached.
/// A test source that answers everything but what it overrides from a file directory.
protocol ForwardingDirectory: DirectorySource {
    var inner: FileDirectory { get }
}

extension ForwardingDirectory {
    func verifyPermissions() async throws(DirectoryError) -> [String] { [] }
    func users() -> DirectoryPages<DirectoryPage<DirectoryUser>> { inner.users() }
    func mailEnabledSecurityGroups() -> DirectoryPages<DirectoryPage<DirectoryGroup>> {
        inner.mailEnabledSecurityGroups()
    }
    func group(id: String) async throws(DirectoryError) -> DirectoryGroup { try await inner.group(id: id) }
    func transitiveUserMembers(ofGroup id: String) -> DirectoryPages<DirectoryPage<DirectoryUser>> {
        inner.transitiveUserMembers(ofGroup: id)
    }
    func userChanges(since deltaLink: String?) -> DirectoryPages<DeltaPage> { inner.userChanges(since: deltaLink) }
}

struct GatedDirectory: ForwardingDirectory {
    let inner: FileDirectory
    let reached: AsyncStream<Void>.Continuation
    let gate: AsyncStream<Void>

    func userChanges(since deltaLink: String?) -> DirectoryPages<DeltaPage> {
        let pages = inner.userChanges(since: deltaLink)
        let (reached, gate) = (self.reached, self.gate)
        return DirectoryPages(pages: { cursor throws(DirectoryError) in
            var iterator = pages.makeAsyncIterator()
            let first = try await iterator.next() ?? DeltaPage(changed: [], removed: [], deltaLink: nil)
            guard cursor != nil else { return (first, first.deltaLink == nil ? "rest" : nil) }
            reached.yield()
            for await _ in gate { break }
            // Everything after the first page, as one page.
            var rest = DeltaPage(changed: [], removed: [], deltaLink: nil)
            while let page = try await iterator.next() {
                rest.changed += page.changed
                rest.removed += page.removed
                rest.deltaLink = page.deltaLink
            }
            return (rest, nil)
        })
    }
}

@Suite("JobManager: one active job per tenant, cancel, recovery")
struct JobManagerTests {
    @Test("starting while a job runs returns that job, flagged alreadyRunning; cancel applies nothing")
    func alreadyRunningAndCancel() async throws {
        let (reached, reachedSignal) = AsyncStream<Void>.makeStream()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        var small = try SyncFixture.demo().export
        small.users.removeLast(900)
        fixture.source.current = FileDirectory(export: small)
        try await fixture.sync()
        let before = try await fixture.contacts()

        fixture.source.current = GatedDirectory(inner: try SyncFixture.demo(), reached: reachedSignal, gate: gate)
        let first = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers))
        #expect(!first.alreadyRunning)
        try await waitForSignal("the job reached its gate", reached)
        let second = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers))
        #expect(second.alreadyRunning)
        #expect(second.job.id == first.job.id)

        // The second page is held at the gate; wait for the first to be staged.
        try await waitFor("the first page staged") {
            fixture.manager.progress.latest(job: first.job.id)?.fetched == 100
        }
        let progress = try #require(fixture.manager.progress.latest(job: first.job.id))
        #expect(progress.state == .running && progress.phase == .fetching)

        #expect(try await fixture.manager.cancel(tenant: SyncFixture.tenant)?.id == first.job.id)
        open.yield()
        await fixture.manager.waitForActiveJob(tenant: SyncFixture.tenant)
        let final = try #require(fixture.manager.progress.latest(job: first.job.id))
        #expect(final.state == .cancelled)
        #expect(final.error?.code == .cancelled)
        #expect(try await fixture.store.job(id: first.job.id)?.state == .cancelled)
        #expect(try await fixture.contacts() == before, "nothing of a cancelled job is applied")
        #expect(try await fixture.store.cleanStaging(except: []) == 0, "its staging is gone")
        #expect(try await fixture.manager.cancel(tenant: SyncFixture.tenant) == nil, "no job is active now")

        fixture.source.current = try SyncFixture.demo()
        #expect(try await fixture.sync().state == .succeeded, "the tenant can sync again")
    }

    @Test("shutdown stops a running job as INTERRUPTED with nothing applied, and refuses new jobs")
    func shutdown() async throws {
        let (reached, reachedSignal) = AsyncStream<Void>.makeStream()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        fixture.source.current = GatedDirectory(inner: try SyncFixture.demo(), reached: reachedSignal, gate: gate)
        let job = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers)).job
        try await waitForSignal("the job reached its gate", reached)

        let stopping = Task { await fixture.manager.shutdown(gracePeriod: .zero) }
        // With no grace period, the job is cancelled in the same step that sets the flag.
        try await waitFor("the shutdown began") { await fixture.manager.isShuttingDown }
        open.yield()
        await stopping.value

        let record = try #require(try await fixture.store.job(id: job.id))
        #expect(record.state == .interrupted)
        #expect(record.errorCode == "INTERRUPTED")
        #expect(fixture.manager.progress.latest(job: job.id)?.state == .interrupted)
        #expect(try await fixture.contacts().isEmpty)
        #expect(try await fixture.store.cleanStaging(except: []) == 0)
        let refused = await #expect(throws: SyncError.self) {
            try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers))
        }
        #expect(refused?.code == .shuttingDown)
    }

    @Test("shutdown lets a job finish within the grace period")
    func shutdownGrace() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        let job = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers)).job
        await fixture.manager.shutdown(gracePeriod: .seconds(600))
        #expect(try await fixture.store.job(id: job.id)?.state == .succeeded)
        #expect(try await fixture.contacts().count == 947)
    }

    @Test("jobs left running or queued are INTERRUPTED at start-up, their staging cleaned; the next sync completes")
    func recovery() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        var job = SyncJobRecord(
            id: "dead-job",
            tenantID: SyncFixture.tenant,
            scope: .allUsers,
            mode: .full,
            createdAt: 1,
            startedBy: nil,
            trigger: .manual
        )
        try await fixture.store.createJob(job)
        job.state = .running
        job.phase = .fetching
        try await fixture.store.updateJob(job)
        try await fixture.store.stage(job: "dead-job", contacts: [ContactRecord(id: "ghost")], removals: [])

        #expect(try await fixture.manager.recoverInterruptedJobs() == ["dead-job"])
        let recovered = try #require(try await fixture.store.job(id: "dead-job"))
        #expect(recovered.state == .interrupted)
        #expect(recovered.errorCode == "INTERRUPTED")
        #expect(try await fixture.store.cleanStaging(except: []) == 0)

        var updates = try #require(try await fixture.manager.watch(job: "dead-job")).makeAsyncIterator()
        let final = await updates.next()
        #expect(final?.state == .interrupted, "watching a job finished before start-up yields its final state")
        #expect(final?.error?.code == .interrupted)
        #expect(await updates.next() == nil)

        let next = try await fixture.sync()
        #expect(next.state == .succeeded)
        #expect(try await fixture.contacts()["ghost"] == nil)
        #expect(try await fixture.contacts().count == 947)
    }

    @Test("a watcher of a running job sees the phases in order and ends with the summary")
    func watchRun() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        let started = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers))
        let updates = try #require(try await fixture.manager.watch(job: started.job.id))
        var states: [SyncProgress] = []
        for await progress in updates { states.append(progress) }
        let last = try #require(states.last)
        #expect(last.state == .succeeded)
        #expect(last.summary?.hasPrefix("Synchronized 947 contacts (947 added, 0 updated, 0 removed) in ") == true)
        let phases = states.compactMap(\.phase).map(\.rawValue)
        #expect(phases == phases.sorted { order($0) <= order($1) }, "phases never go back")
        #expect(try await fixture.manager.watch(job: "unknown") == nil)
    }

    @Test("the summary groups thousands and shows tenths of a second")
    func summaryText() {
        var job = SyncJobRecord(
            id: "j",
            tenantID: "t",
            scope: .allUsers,
            mode: .full,
            createdAt: 0,
            startedBy: nil,
            trigger: .manual
        )
        job.state = .succeeded
        (job.added, job.updated, job.removed, job.total) = (12, 3, 5, 1_204)
        (job.startedAt, job.finishedAt) = (1_000, 3_345)
        #expect(
            SyncProgress(job: job).summary == "Synchronized 1,204 contacts (12 added, 3 updated, 5 removed) in 2.3 s"
        )
    }

    private func order(_ phase: String) -> Int {
        ["authenticating", "listingMembers", "fetching", "applying"].firstIndex(of: phase) ?? -1
    }
}
