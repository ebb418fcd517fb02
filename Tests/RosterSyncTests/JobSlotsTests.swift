import RosterDirectory
import RosterStore
import Synchronization
import Testing

@testable import RosterSync

/// The server-wide line of sync jobs: at most `limit` run, the rest wait in order and hear their
/// place; a cancelled wait leaves the line.
@Suite("Job slots")
struct JobSlotsTests {
    final class Places: Sendable {
        let values = Mutex<[String: [Int]]>([:])
        func note(_ name: String) -> @Sendable (Int) -> Void {
            { place in self.values.withLock { $0[name, default: []].append(place) } }
        }
        subscript(name: String) -> [Int] { values.withLock { $0[name] ?? [] } }
    }

    func waitUntil(_ condition: () -> Bool) async throws {
        try await waitFor("the slots' state") { condition() }
    }

    @Test("two run, the rest wait in order; each release lets the first waiter in and moves the line")
    func line() async throws {
        let slots = JobSlots(limit: 2)
        let places = Places()
        try await slots.acquire(onPlace: places.note("a"))
        try await slots.acquire(onPlace: places.note("b"))
        let c = Task { try await slots.acquire(onPlace: places.note("c")) }
        try await waitUntil { slots.counts.waiting == 1 }
        let d = Task { try await slots.acquire(onPlace: places.note("d")) }
        try await waitUntil { slots.counts.waiting == 2 }
        #expect(places["a"].isEmpty && places["b"].isEmpty)
        #expect(places["c"] == [1])
        #expect(places["d"] == [2])
        slots.release()
        try await c.value
        #expect(places["d"] == [2, 1])
        #expect(slots.counts == (running: 2, waiting: 1))
        slots.release()
        try await d.value
        slots.release()
        slots.release()
        #expect(slots.counts == (running: 0, waiting: 0))
    }

    @Test("a cancelled wait throws CancellationError and the jobs behind it move up")
    func cancelledWait() async throws {
        let slots = JobSlots(limit: 1)
        let places = Places()
        try await slots.acquire(onPlace: places.note("a"))
        let b = Task { try await slots.acquire(onPlace: places.note("b")) }
        try await waitUntil { slots.counts.waiting == 1 }
        let c = Task { try await slots.acquire(onPlace: places.note("c")) }
        try await waitUntil { slots.counts.waiting == 2 }
        b.cancel()
        await #expect(throws: CancellationError.self) { try await b.value }
        #expect(places["c"] == [2, 1])
        slots.release()
        try await c.value
        #expect(slots.counts == (running: 1, waiting: 0))
    }

    /// A fixture with one job slot and a second tenant, reading a directory that holds every job
    /// at its second page until `open` yields; `reached` yields when a job gets there.
    static func oneSlotTwoTenants() async throws -> (SyncFixture, AsyncStream<Void>, AsyncStream<Void>.Continuation) {
        let (reached, reachedSignal) = AsyncStream<Void>.makeStream()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let fixture = try await SyncFixture.make(maxRunningJobs: 1)
        try await fixture.store.createTenant(
            TenantRecord(
                id: "tenant-2",
                displayName: "Fabrikam",
                authorityURL: "https://login.example",
                graphBaseURL: "https://graph.example",
                createdAt: 1
            )
        )
        fixture.source.current = GatedDirectory(inner: try SyncFixture.demo(), reached: reachedSignal, gate: gate)
        return (fixture, reached, open)
    }

    @Test("with one slot, a second tenant's job is QUEUED with its place in its progress, then runs")
    func queuedJobShowsItsPlace() async throws {
        let (fixture, reached, open) = try await Self.oneSlotTwoTenants()
        defer { Task { await fixture.tearDown() } }
        let first = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers))
        try await waitForSignal("the job reached its gate", reached)
        let second = try await fixture.manager.start(SyncRequest(tenantID: "tenant-2", scope: .allUsers))
        try await waitUntil {
            fixture.manager.progress.latest(job: second.job.id)?.message.hasPrefix("queued: 1st") == true
        }
        let queued = try #require(fixture.manager.progress.latest(job: second.job.id))
        #expect(queued.state == .queued)
        #expect(queued.message == "queued: 1st in line (1 syncs run at once on this server)")
        open.yield()
        open.yield()
        await fixture.manager.waitForActiveJob(tenant: SyncFixture.tenant)
        await fixture.manager.waitForActiveJob(tenant: "tenant-2")
        #expect(fixture.manager.progress.latest(job: first.job.id)?.state == .succeeded)
        #expect(fixture.manager.progress.latest(job: second.job.id)?.state == .succeeded)
    }

    @Test("a queued job that is cancelled ends CANCELLED without running")
    func cancelQueued() async throws {
        let (fixture, reached, open) = try await Self.oneSlotTwoTenants()
        defer { Task { await fixture.tearDown() } }
        _ = try await fixture.manager.start(SyncRequest(tenantID: SyncFixture.tenant, scope: .allUsers))
        try await waitForSignal("the job reached its gate", reached)
        let second = try await fixture.manager.start(SyncRequest(tenantID: "tenant-2", scope: .allUsers))
        try await waitUntil { fixture.manager.progress.latest(job: second.job.id)?.message.hasPrefix("queued") == true }
        #expect(try await fixture.manager.cancel(tenant: "tenant-2") != nil)
        await fixture.manager.waitForActiveJob(tenant: "tenant-2")
        #expect(fixture.manager.progress.latest(job: second.job.id)?.state == .cancelled)
        #expect(try await fixture.store.job(id: second.job.id)?.startedAt == nil)
        open.yield()
        await fixture.manager.waitForActiveJob(tenant: SyncFixture.tenant)
    }
}
