import RosterStore
import RosterSync
import Testing

@Suite("Automatic sync: the saved scope re-run when due")
struct ScheduleTests {
    static let sixHours: Int64 = 6 * 60 * 60_000

    @Test("a due tenant's saved scope runs as a scheduled job and its next run moves an interval ahead")
    func dueTenantRuns() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        try await fixture.sync(.group(id: Demo.ukStaff, name: "UK Staff"))
        try await fixture.updateTenant {
            $0.connectionState = .authorized
            $0.syncIntervalMinutes = 360
            $0.nextSyncAt = 1_000_000
        }
        #expect(try await fixture.manager.startDueSyncs(now: 999_999).isEmpty, "not due yet")

        let started = try await fixture.manager.startDueSyncs(now: 1_000_000)
        #expect(started.count == 1)
        let job = try #require(started.first?.job)
        #expect(job.trigger == .scheduled)
        #expect(job.startedBy == nil)
        #expect(job.scope == .group(id: Demo.ukStaff, name: "UK Staff"), "the saved scope")
        #expect(try await fixture.store.tenant(id: SyncFixture.tenant)?.nextSyncAt == 1_000_000 + Self.sixHours)

        #expect(try await fixture.manager.startDueSyncs(now: 1_000_001).isEmpty, "a running job is left alone")
        await fixture.manager.waitForActiveJob(tenant: SyncFixture.tenant)
        let history = try await fixture.store.jobs(tenant: SyncFixture.tenant, limit: 10)
        #expect(history.first?.id == job.id)
        #expect(history.first?.state == .succeeded)
        #expect(history.first?.trigger == .scheduled)
        #expect(try await fixture.manager.startDueSyncs(now: 1_000_002).isEmpty, "the next run is six hours away")
    }

    @Test("no schedule without an interval or an authorized connection; a new schedule starts an interval from now")
    func eligibility() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        try await fixture.updateTenant { $0.nextSyncAt = 5 }
        #expect(try await fixture.manager.startDueSyncs(now: 10).isEmpty, "interval 0: scheduling is off")

        try await fixture.updateTenant { $0.syncIntervalMinutes = 360 }
        #expect(try await fixture.manager.startDueSyncs(now: 10).isEmpty, "not authorized")
        #expect(try await fixture.store.jobs(tenant: SyncFixture.tenant, limit: 10).isEmpty)

        try await fixture.updateTenant {
            $0.connectionState = .authorized
            $0.nextSyncAt = nil
        }
        #expect(try await fixture.manager.startDueSyncs(now: 10).isEmpty, "a new schedule does not run at once")
        #expect(try await fixture.store.tenant(id: SyncFixture.tenant)?.nextSyncAt == 10 + Self.sixHours)
    }
}
