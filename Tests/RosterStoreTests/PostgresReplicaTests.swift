import Foundation
import PostgresTestSupport
import RosterPostgres
import RosterStore
import RosterStoreTestSupport
import Testing

/// Two `PostgresStore`s on one database, as two `rosterd` replicas hold them: the job lease, the
/// fencing of a replica whose lease ran out, cancels and news across replicas, and scheduled syncs
/// claimed once.
@Suite("PostgreSQL replicas", .postgresCluster, .timeLimit(.minutes(10)))
struct PostgresReplicaTests {
    /// Replicas A and B on one fresh database (one tenant), sharing the master key.
    struct Pair {
        let a: PostgresStore
        let b: PostgresStore
        let database: String

        static func make(lease: Duration = .seconds(60)) async throws -> Pair {
            var (configuration, database) = try await StoreFixture.makePostgresDatabase()
            configuration.jobLease = lease
            let key = try MasterKey.random()
            let a = try await PostgresStore.open(configuration: configuration, masterKey: key)
            let b = try await PostgresStore.open(configuration: configuration, masterKey: key)
            try await a.createTenant(StoreFixture.tenantRecord(id: StoreFixture.tenant))
            return Pair(a: a, b: b, database: database)
        }

        func close() async {
            await a.close()
            await b.close()
        }
    }

    /// `events`, once its connection listens: `store` announces pings until one comes back (the
    /// LISTEN may take a moment on a loaded machine). Pings may follow; ``isPing(_:)`` spots them.
    static func listening(_ events: AsyncStream<ReplicaEvent>, via store: PostgresStore) async throws
        -> AsyncStream<ReplicaEvent>.Iterator
    {
        let pinger = Task {
            for count in 0..<300 {
                try? await store.announceProgress(job: "ping", payload: "\(count)")
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { pinger.cancel() }
        var iterator = events.makeAsyncIterator()
        while let event = await iterator.next() {
            if isPing(event) { return iterator }
        }
        throw StoreError(.database, "the event stream ended before it heard a ping")
    }

    static func isPing(_ event: ReplicaEvent) -> Bool {
        if case .progress(job: "ping", _) = event { return true }
        return false
    }

    static func job(_ id: String) -> SyncJobRecord {
        var job = SyncJobRecord(
            id: id,
            tenantID: StoreFixture.tenant,
            scope: .allUsers,
            mode: .full,
            createdAt: 1,
            startedBy: "key-1",
            trigger: .manual,
            dryRun: false,
            acknowledgedRemovals: false
        )
        job.state = .running
        return job
    }

    @Test("a live lease keeps a job from every other replica: no second job, no interrupt, its staging kept")
    func liveLease() async throws {
        let pair = try await Pair.make()
        #expect(pair.a.replicaID != pair.b.replicaID)
        try await pair.a.createJob(Self.job("on-a"))
        try await pair.a.stage(job: "on-a", contacts: SampleContacts.contacts(0..<3), removals: [])
        let second = await #expect(throws: StoreError.self) { try await pair.b.createJob(Self.job("on-b")) }
        #expect(second?.code == .conflict)
        #expect(try await pair.b.interruptActiveJobs(now: 5) == [])
        #expect(try await pair.b.cleanStaging(except: []) == 0, "B deleted the staging of A's running job")
        #expect(try await pair.a.renewLeases() == [])
        let counts = try await pair.a.apply(
            job: "on-a",
            tenant: StoreFixture.tenant,
            kind: .replaceAll,
            now: 6,
            deltaLink: nil
        )
        #expect(counts.added == 3)
        await pair.close()
    }

    @Test("once its lease runs out, another replica interrupts the job; the first can then neither save nor apply it")
    func expiredLease() async throws {
        let pair = try await Pair.make(lease: .milliseconds(300))
        var job = Self.job("on-a")
        try await pair.a.createJob(job)
        try await pair.a.stage(job: "on-a", contacts: SampleContacts.contacts(0..<3), removals: [])
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await pair.b.interruptActiveJobs(now: 7) == ["on-a"])
        let stored = try #require(try await pair.b.job(id: "on-a"))
        #expect(stored.state == .interrupted)
        #expect(stored.errorCode == "INTERRUPTED")
        job.state = .succeeded
        let save = await #expect(throws: StoreError.self) { try await pair.a.updateJob(job) }
        #expect(save?.code == .conflict)
        #expect(save?.message.contains("lease ran out") == true, "\(save?.message ?? "")")
        // The staging went with the job: an apply finds nothing, and would be refused anyway.
        try await pair.a.stage(job: "on-a", contacts: SampleContacts.contacts(0..<3), removals: [])
        let apply = await #expect(throws: StoreError.self) {
            _ = try await pair.a.apply(
                job: "on-a",
                tenant: StoreFixture.tenant,
                kind: .replaceAll,
                now: 8,
                deltaLink: nil
            )
        }
        #expect(apply?.code == .conflict)
        #expect(try await pair.b.contactCount(tenant: StoreFixture.tenant) == 0, "a fenced apply wrote contacts")
        #expect(try await pair.b.job(id: "on-a")?.state == .interrupted, "the fenced replica overwrote the job")
        // The tenant is free again: B starts the next run.
        try await pair.b.createJob(Self.job("on-b"))
        await pair.close()
    }

    @Test("a first sync written as it fetches commits only while its replica still holds the job's lease")
    func streamedApplyFenced() async throws {
        let pair = try await Pair.make(lease: .milliseconds(300))
        try await pair.a.createJob(Self.job("on-a"))
        let apply = try #require(try await pair.a.beginStreamedApply(job: "on-a", tenant: StoreFixture.tenant, now: 1))
        try await apply.write(SampleContacts.contacts(0..<3))
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await pair.b.interruptActiveJobs(now: 7) == ["on-a"])
        let refused = await #expect(throws: StoreError.self) { _ = try await apply.commit(deltaLink: "d") }
        #expect(refused?.code == .conflict)
        #expect(refused?.message.contains("lease ran out") == true, "\(refused?.message ?? "")")
        await apply.discard()
        #expect(try await pair.b.contacts(tenant: StoreFixture.tenant, after: nil, limit: 10).isEmpty)
        #expect(try await pair.b.tenant(id: StoreFixture.tenant)?.deltaLink == nil)
        await pair.close()
    }

    @Test(
        "a renewal gives the owner's job a whole new term on the database's clock; another replica's renewal does not"
    )
    func renewal() async throws {
        // No wall-clock race: the first term is ended by hand, as if A had stalled past it.
        let pair = try await Pair.make()
        try await pair.a.createJob(Self.job("on-a"))
        let lapse = "UPDATE sync_jobs SET lease_expires_at = 0 WHERE id = 'on-a'"
        _ = try await PostgresCluster.shared.psql(lapse, database: pair.database)
        _ = try await pair.a.renewLeases()
        let left = try await PostgresCluster.shared.psql(
            "SELECT lease_expires_at - (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT FROM sync_jobs WHERE id = 'on-a'",
            database: pair.database
        )
        let milliseconds = try #require(Int(left), "lease left: \(left)")
        #expect(milliseconds > 30_000 && milliseconds <= 60_000, "a renewal left \(milliseconds) ms of a 60 s lease")
        #expect(try await pair.b.interruptActiveJobs(now: 9) == [], "a renewed lease was taken")
        // B renewing its own (none) leaves A's lease alone: lapsed again, B takes the job.
        _ = try await PostgresCluster.shared.psql(lapse, database: pair.database)
        _ = try await pair.b.renewLeases()
        #expect(try await pair.b.interruptActiveJobs(now: 10) == ["on-a"])
        await pair.close()
    }

    @Test("a cancel made on B marks A's job and is heard by A at once and at its next renewal")
    func cancelAcrossReplicas() async throws {
        let pair = try await Pair.make()
        var events = try await Self.listening(pair.a.events(), via: pair.a)
        try await pair.a.createJob(Self.job("on-a"))
        let cancelled = try await pair.b.requestCancel(tenant: StoreFixture.tenant)
        #expect(cancelled?.id == "on-a")
        #expect(try await pair.a.renewLeases() == ["on-a"])
        var heard: ReplicaEvent?
        while let event = await events.next() {
            guard !Self.isPing(event) else { continue }
            heard = event
            break
        }
        #expect(heard == .cancel(job: "on-a", tenant: StoreFixture.tenant))
        #expect(try await pair.b.requestCancel(tenant: "no-such-tenant") == nil)
        await pair.close()
    }

    @Test("progress and new groups reach the other replica as events")
    func news() async throws {
        let pair = try await Pair.make()
        var events = try await Self.listening(pair.b.events(), via: pair.a)
        try await pair.a.announceProgress(job: "job-1", payload: "{\"message\": \"fetching users\"}")
        try await pair.a.replaceGroups(tenant: StoreFixture.tenant, groups: [], now: 3)
        var heard: [ReplicaEvent] = []
        while let event = await events.next() {
            guard !Self.isPing(event) else { continue }
            heard.append(event)
            if heard.count == 2 { break }
        }
        #expect(
            heard == [
                .progress(job: "job-1", payload: "{\"message\": \"fetching users\"}"),
                .groupsReplaced(tenant: StoreFixture.tenant, replica: pair.a.replicaID),
            ]
        )
        await pair.close()
    }

    @Test("of two replicas claiming the same due scheduled sync at once, exactly one wins, 20 times over")
    func scheduleClaimedOnce() async throws {
        let pair = try await Pair.make()
        var dueNext: Int64? = nil
        for tick in 1...20 {
            let due = dueNext
            let next = Int64(tick) * 60_000
            async let byA = pair.a.claimScheduledSync(tenant: StoreFixture.tenant, due: due, next: next)
            async let byB = pair.b.claimScheduledSync(tenant: StoreFixture.tenant, due: due, next: next)
            let claims = try await [byA, byB]
            #expect(claims.filter { $0 }.count == 1, "tick \(tick): \(claims)")
            dueNext = next
        }
        #expect(try await pair.b.tenant(id: StoreFixture.tenant)?.nextSyncAt == 20 * 60_000)
        await pair.close()
    }
}

@Suite("Scheduled sync claims")
struct ScheduleClaimTests {
    @Test("a claim moves nextSyncAt only from the value it saw", arguments: [StoreKind.sqlite])
    func claim(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        #expect(try await fixture.store.claimScheduledSync(tenant: StoreFixture.tenant, due: nil, next: 100))
        #expect(try await !fixture.store.claimScheduledSync(tenant: StoreFixture.tenant, due: nil, next: 200))
        #expect(try await fixture.store.claimScheduledSync(tenant: StoreFixture.tenant, due: 100, next: 300))
        #expect(try await fixture.store.tenant(id: StoreFixture.tenant)?.nextSyncAt == 300)
        #expect(try await !fixture.store.claimScheduledSync(tenant: "no-such-tenant", due: nil, next: 1))
        await fixture.tearDown()
    }
}
