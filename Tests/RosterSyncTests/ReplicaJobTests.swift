import Foundation
import PostgresTestSupport
import RosterDirectory
import RosterPostgres
import RosterStore
import RosterSync
import Synchronization
import Testing

/// Two job managers on one PostgreSQL database, as two `rosterd` replicas run them, each hearing
/// the other's news as the server wires it: schedules run once, watches and cancels cross over.
@Suite("Replicas: jobs shared through PostgreSQL", .serialized, .timeLimit(.minutes(10)))
struct ReplicaJobTests {
    /// Replicas A and B: a store and a manager each, on one database with one authorized tenant,
    /// each store's events fed to its manager and its replica duties running.
    struct Replicas {
        let a: JobManager
        let b: JobManager
        let storeA: PostgresStore
        let storeB: PostgresStore
        let listeners: [Task<Void, Never>]

        static func make(source: @escaping @Sendable () -> any DirectorySource) async throws -> Replicas {
            if let reason = PostgresCluster.unavailableReason { try Test.cancel(Comment(rawValue: reason)) }
            var (configuration, _) = try await PostgresCluster.shared.createStoreDatabase()
            // No test here needs a lease to run out: a renewal late on a loaded machine must not
            // let the other replica take a live job.
            configuration.jobLease = .seconds(600)
            let key = try MasterKey.random()
            let storeA = try await PostgresStore.open(configuration: configuration, masterKey: key)
            let storeB = try await PostgresStore.open(configuration: configuration, masterKey: key)
            var tenant = TenantRecord(
                id: SyncFixture.tenant,
                displayName: "Contoso",
                authorityURL: "https://login.example",
                graphBaseURL: "https://graph.example",
                createdAt: 1
            )
            tenant.connectionState = .authorized
            try await storeA.createTenant(tenant)
            func manager(_ store: PostgresStore, _ name: String) -> JobManager {
                var jobs = JobManager.Configuration(directories: { _, _ in source() })
                jobs.replicas = store
                let counter = Mutex(0)
                jobs.makeJobID = {
                    counter.withLock {
                        $0 += 1; return "\(name)-\($0)"
                    }
                }
                return JobManager(store: store, configuration: jobs)
            }
            let a = manager(storeA, "a")
            let b = manager(storeB, "b")
            // News as the server hears it, and the duties that stand in for news that came too early.
            let listeners = [(a, storeA.events()), (b, storeB.events())].flatMap { manager, events in
                [
                    Task { for await event in events { await manager.handle(event) } },
                    Task { await manager.runReplicaDuties(every: .milliseconds(200)) },
                ]
            }
            return Replicas(a: a, b: b, storeA: storeA, storeB: storeB, listeners: listeners)
        }

        func close() async {
            for listener in listeners { listener.cancel() }
            await storeA.close()
            await storeB.close()
        }
    }

    @Test("10 schedule ticks with both replicas checking at once start 10 runs, not 20")
    func scheduleRunsOnce() async throws {
        try await PostgresCluster.shared.holding {
            // 50 people: the test is about how many runs start, not what they carry.
            let demo = try SyncFixture.demo()
            let small = FileDirectory(
                export: .init(users: Array(demo.export.users.prefix(50)), groups: [], members: [:])
            )
            let replicas = try await Replicas.make(source: { small })
            var tenant = try #require(try await replicas.storeA.tenant(id: SyncFixture.tenant))
            tenant.syncIntervalMinutes = 1
            tenant.nextSyncAt = 60_000
            try await replicas.storeA.updateTenant(tenant)
            var started = 0
            for tick in 1...10 {
                let now = Int64(tick) * 60_000
                async let byA = replicas.a.startDueSyncs(now: now)
                async let byB = replicas.b.startDueSyncs(now: now)
                started += try await byA.count + byB.count
                await replicas.a.waitForActiveJob(tenant: SyncFixture.tenant)
                await replicas.b.waitForActiveJob(tenant: SyncFixture.tenant)
            }
            #expect(started == 10)
            let jobs = try await replicas.storeA.jobs(tenant: SyncFixture.tenant, limit: 100)
            #expect(jobs.count == 10)
            #expect(jobs.allSatisfy { $0.trigger == .scheduled && $0.state == .succeeded })
            await replicas.close()
        }
    }

    @Test("B watches A's job to the same final value, and a cancel on B stops the next job A runs")
    func watchAndCancelAcross() async throws {
        try await PostgresCluster.shared.holding {
            let (reached, reachedSignal) = AsyncStream<Void>.makeStream()
            let (gate, open) = AsyncStream<Void>.makeStream()
            let demo = try SyncFixture.demo()
            let replicas = try await Replicas.make(source: {
                GatedDirectory(inner: demo, reached: reachedSignal, gate: gate)
            })
            let tenant = SyncFixture.tenant
            // A's first job: B follows it and sees it end as A saw it.
            let first = try await replicas.a.start(SyncRequest(tenantID: tenant, scope: .allUsers))
            for await _ in reached { break }
            let again = try await replicas.b.start(SyncRequest(tenantID: tenant, scope: .allUsers))
            #expect(again.alreadyRunning && again.job.id == first.job.id, "B started a second job")
            let updates = try #require(try await replicas.b.watch(job: first.job.id))
            var iterator = updates.makeAsyncIterator()
            let opening = try #require(await iterator.next())
            #expect(opening.state == .running, "\(opening)")
            open.yield()
            var last = opening
            while let value = await iterator.next() { last = value }
            await replicas.a.waitForActiveJob(tenant: tenant)
            let onA = try #require(replicas.a.progress.latest(job: first.job.id))
            #expect(last.state == .succeeded)
            #expect(last.summary == onA.summary, "B's final value is not A's")
            #expect(last.added == onA.added && last.added > 0)

            // A's second job (a delta) waits at the gate; B cancels it.
            let second = try await replicas.a.start(SyncRequest(tenantID: tenant, scope: .allUsers, forceFull: true))
            for await _ in reached { break }
            #expect(try await replicas.b.cancel(tenant: tenant)?.id == second.job.id)
            open.yield()
            await replicas.b.waitUntilEnded(job: second.job.id)
            #expect(try await replicas.storeB.job(id: second.job.id)?.state == .cancelled)
            await replicas.close()
        }
    }
}
