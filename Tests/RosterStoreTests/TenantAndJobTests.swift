import RosterStore
import RosterStoreTestSupport
import Testing

@Suite("Tenants", .postgresCluster)
struct TenantTests {
    @Test("every tenant field is saved and read back; a duplicate id is refused", arguments: StoreKind.allCases)
    func roundTrip(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        var tenant = try #require(try await fixture.store.tenant(id: StoreFixture.tenant))
        #expect(tenant.deletionThreshold == 500)
        #expect(tenant.connectionState == .notConnected)
        tenant.directoryTenantID = "dir-1"
        tenant.clientID = "client-1"
        tenant.connectionState = .consentRevoked
        tenant.connectionErrorCode = "AADSTS65001"
        tenant.scope = .group(id: "g-1", name: "UK Staff")
        tenant.deltaLink = "https://graph.example/delta?token=x"
        tenant.deletionThreshold = 50
        tenant.includeDisabled = true
        tenant.syncIntervalMinutes = 60
        tenant.nextSyncAt = 99
        try await fixture.store.updateTenant(tenant)
        #expect(try await fixture.store.tenant(id: StoreFixture.tenant) == tenant)
        #expect(try await fixture.store.tenants().map(\.id) == [StoreFixture.tenant])
        let error = await #expect(throws: StoreError.self) {
            try await fixture.store.createTenant(StoreFixture.tenantRecord(id: StoreFixture.tenant))
        }
        #expect(error?.code == .conflict)
        await #expect(throws: StoreError.self) {
            try await fixture.store.updateTenant(StoreFixture.tenantRecord(id: "missing"))
        }
        await fixture.tearDown()
    }
}

@Suite("Sync jobs", .postgresCluster)
struct SyncJobTests {
    func job(_ id: String, at time: Int64) -> SyncJobRecord {
        SyncJobRecord(
            id: id,
            tenantID: StoreFixture.tenant,
            scope: .group(id: "g", name: "UK Staff"),
            mode: .full,
            createdAt: time,
            startedBy: "key-1",
            trigger: .manual,
            dryRun: true,
            acknowledgedRemovals: true
        )
    }

    @Test("a job's fields round-trip, and a tenant has at most one active job", arguments: StoreKind.allCases)
    func oneActiveJob(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        var first = job("job-1", at: 1)
        try await fixture.store.createJob(first)
        #expect(try await fixture.store.job(id: "job-1") == first)
        let error = await #expect(throws: StoreError.self) { try await fixture.store.createJob(job("job-2", at: 2)) }
        #expect(error?.code == .conflict)
        first.state = .succeeded
        first.phase = .applying
        first.fetched = 10
        first.added = 3
        first.updated = 2
        first.removed = 1
        first.unchanged = 4
        first.total = 9
        first.startedAt = 2
        first.finishedAt = 3
        try await fixture.store.updateJob(first)
        #expect(try await fixture.store.job(id: "job-1") == first)
        #expect(try await fixture.store.activeJob(tenant: StoreFixture.tenant) == nil)
        try await fixture.store.createJob(job("job-2", at: 2))
        #expect(try await fixture.store.jobs(tenant: StoreFixture.tenant, limit: 10).map(\.id) == ["job-2", "job-1"])
        await fixture.tearDown()
    }

    @Test(
        "a status reads the tenant, its active job, its latest jobs and its count at once",
        arguments: StoreKind.allCases
    )
    func status(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        #expect(try await fixture.store.status(tenant: "missing", recentJobs: 5) == nil)
        for (number, created) in [(1, Int64(1)), (2, 2)] {
            var done = job("job-\(number)", at: created)
            try await fixture.store.createJob(done)
            done.state = .succeeded
            try await fixture.store.updateJob(done)
        }
        try await fixture.store.createJob(job("job-3", at: 3))
        try await fixture.store.stage(
            job: "job-3",
            contacts: [SampleContacts.contact(1), SampleContacts.contact(2)],
            removals: []
        )
        _ = try await fixture.store.apply(
            job: "job-3",
            tenant: StoreFixture.tenant,
            kind: .replaceAll,
            now: 4,
            deltaLink: nil
        )
        let status = try #require(try await fixture.store.status(tenant: StoreFixture.tenant, recentJobs: 2))
        #expect(status.tenant == (try await fixture.store.tenant(id: StoreFixture.tenant)))
        #expect(status.activeJob == (try await fixture.store.activeJob(tenant: StoreFixture.tenant)))
        #expect(status.recentJobs.map(\.id) == ["job-3", "job-2"])
        #expect(status.activeJob?.id == "job-3")
        #expect(status.contactCount == 2)
        await fixture.tearDown()
    }

    @Test(
        "queued and running jobs no server holds become interrupted; finished ones stay",
        arguments: StoreKind.allCases
    )
    func interrupt(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        var done = job("done", at: 1)
        try await fixture.store.createJob(done)
        done.state = .failed
        try await fixture.store.updateJob(done)
        var running = job("running", at: 2)
        try await fixture.store.createJob(running)
        running.state = .running
        try await fixture.store.updateJob(running)
        if kind == .postgres {
            // A shared store interrupts only a job whose replica stopped renewing its lease.
            #expect(try await fixture.store.interruptActiveJobs(now: 10) == [])
            _ = try await fixture.psql("UPDATE sync_jobs SET lease_expires_at = 0 WHERE id = 'running'")
        }
        #expect(try await fixture.store.interruptActiveJobs(now: 10) == ["running"])
        #expect(try await fixture.store.job(id: "running")?.state == .interrupted)
        #expect(try await fixture.store.job(id: "running")?.finishedAt == 10)
        #expect(try await fixture.store.job(id: "done")?.state == .failed)
        await fixture.tearDown()
    }
}
