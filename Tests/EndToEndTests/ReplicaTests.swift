import Foundation
import GraphTestDouble
import PostgresTestSupport
import RosterClient
import RosterWire
import Testing

/// Two `rosterd serve` processes on one PostgreSQL database, the Graph double behind both: a job
/// started on A is watched, joined and cancelled on B; A killed mid-fetch is interrupted by B within
/// the lease; 50 tenants sync at once across both.
///
/// Only the tests that kill A use a short lease (``killLease``): elsewhere a replica's renewal that
/// runs late on a loaded machine must not let the other replica take a live job.
@Suite("End to end: two replicas on PostgreSQL", .serialized, .timeLimit(.minutes(10)))
struct ReplicaTests {
    /// The lease of the tests that kill A: B interrupts A's job this long after A's last renewal.
    static let killLease = 5

    /// The contacts an all-users sync of the double's directory holds: its enabled member accounts.
    static func inScope(_ scenario: Scenario) -> Int {
        scenario.directory.users.filter { user in
            user["accountEnabled"]?.bool != false
                && (user["userType"]?.string.map { $0.lowercased() == "member" } ?? true)
        }.count
    }

    /// Runs `body` with the scenario's server as replica A and a second server, B, on the same
    /// database with A's master key; the tenants are connected to the double through A.
    static func withReplicas(
        directory: GraphDoubleDirectory? = nil,
        photos: Bool = false,
        leaseSeconds: Int = 600,
        _ body: @escaping @Sendable (Scenario, RosterdProcess, _ database: String) async throws -> Void
    ) async throws {
        if let reason = PostgresCluster.unavailableReason { try Test.cancel(Comment(rawValue: reason)) }
        let lease = ["--job-lease-seconds", "\(leaseSeconds)"]
        try await PostgresCluster.shared.holding {
            let (endpoint, database) = try await PostgresCluster.shared.createDatabase()
            let store = ["--store", "postgres://\(endpoint.user)@\(endpoint.host):\(endpoint.port)/\(database)"]
            try await Scenario.run(
                serverArguments: lease,
                storeArguments: store,
                directory: directory,
                photos: photos
            ) { scenario in
                let b = try RosterdProcess(extraArguments: lease, storeArguments: store)
                try FileManager.default.createDirectory(atPath: b.dataDirectory, withIntermediateDirectories: true)
                try FileManager.default.copyItem(
                    atPath: scenario.server.dataDirectory + "/master.key",
                    toPath: b.dataDirectory + "/master.key"
                )
                try await b.start()
                try await scenario.connect(try scenario.client(scenario.acme.admin))
                do {
                    try await body(scenario, b, database)
                } catch {
                    await b.terminate()
                    throw error
                }
                await b.terminate()
            }
        }
    }

    @Test("a job started on A is watched on B to A's own final message; StartSync on B returns it as running")
    func watchOnOtherReplica() async throws {
        // With photos: their counts are part of the confirmation B must show as A does.
        try await Self.withReplicas(photos: true) { scenario, b, _ in
            let onA = try scenario.client(scenario.acme.admin)
            let onB = try b.client(key: scenario.acme.admin)
            defer { Task { await onB.close() } }
            // The first page's answer is held until B has seen the job running on A.
            scenario.double.holdReplies(pathPrefix: "/v1.0/users/delta")
            defer { scenario.double.releaseHeldReplies() }
            let started = try await onA.startSync(Scenario.request(Scenario.allUsers()))
            let job = try #require(started.job?.id)
            let again = try await onB.startSync(Scenario.request(Scenario.allUsers()))
            #expect(again.alreadyRunning)
            #expect(again.job?.id == job)
            async let watchedOnA = scenario.watch(onA, job: job)
            var onBStream = try await onB.watchProgress(jobID: job).makeAsyncIterator()
            let firstOnB = try #require(try await onBStream.next())
            #expect(firstOnB.final == false, "B's stream did not begin while the job ran on A")
            #expect(firstOnB.state == .running)
            scenario.double.releaseHeldReplies()
            var finalOnB = firstOnB
            while let update = try await onBStream.next() { finalOnB = update }
            let finalOnA = try #require(try await watchedOnA.last)
            #expect(finalOnB.final && finalOnB.state == .succeeded)
            #expect(finalOnB.summary == finalOnA.summary, "B's confirmation differs from A's")
            #expect(finalOnB.summary?.text.contains("; photos: ") == true, "\(finalOnB.summary?.text ?? "")")
            let ids = try await scenario.contactIDs(onB)
            #expect(ids.count == Self.inScope(scenario))
            #expect(Int64(ids.count) == finalOnB.summary?.totalContacts)
        }
    }

    @Test("A killed mid-fetch: B reports the job INTERRUPTED within the lease, and a rerun on B is exact")
    func failover() async throws {
        try await Self.withReplicas(leaseSeconds: Self.killLease) { scenario, b, _ in
            let onA = try scenario.client(scenario.acme.admin)
            let onB = try b.client(key: scenario.acme.admin)
            defer { Task { await onB.close() } }
            scenario.double.inject([.throttle(retryAfter: 600)], pathPrefix: "/v1.0/users/delta")
            let job = try #require(try await onA.startSync(Scenario.request(Scenario.allUsers())).job?.id)
            let stream = try await onB.watchProgress(jobID: job)
            var iterator = stream.makeAsyncIterator()
            // Once B has shown A's throttling wait, the job is mid-fetch on A.
            while let update = try await iterator.next(), update.throttleWaitMs == 0 {}
            let killedAt = ContinuousClock.now
            await scenario.server.kill()
            var final: ProgressUpdate?
            while let update = try await iterator.next() { final = update }
            let detected = ContinuousClock.now - killedAt
            print(
                "replica failover: B reported A's job INTERRUPTED \(detected) after the SIGKILL (lease \(Self.killLease) s)"
            )
            #expect(final?.final == true)
            #expect(final?.state == .interrupted)
            let rerun = try await scenario.sync(onB, Scenario.request(Scenario.allUsers()))
            #expect(rerun.state == .succeeded)
            #expect(try await scenario.contactIDs(onB).count == Self.inScope(scenario))
        }
    }

    @Test(
        "A killed while its first sync's transaction is open mid-listing: B reports INTERRUPTED, nothing is applied, a rerun on B is exact"
    )
    func failoverMidStreamedApply() async throws {
        try await Self.withReplicas(leaseSeconds: Self.killLease) { scenario, b, database in
            let onA = try scenario.client(scenario.acme.admin)
            let onB = try b.client(key: scenario.acme.admin)
            defer { Task { await onB.close() } }
            defer { scenario.double.releaseHeldReplies() }
            let job = try await Self.startFirstSyncHeldOpen(scenario, onA, database: database)
            var iterator = try await onB.watchProgress(jobID: job).makeAsyncIterator()
            await scenario.server.kill()
            scenario.double.releaseHeldReplies()
            var final: ProgressUpdate?
            while let update = try await iterator.next() { final = update }
            #expect(final?.state == .interrupted)
            try await Self.expectNothingAppliedThenRerun(scenario, onB)
        }
    }

    @Test(
        "CancelSync while a first sync's transaction is open: it rolls back and ends, nothing applied, the next sync exact"
    )
    func cancelMidStreamedApply() async throws {
        try await Self.withReplicas { scenario, b, database in
            let onA = try scenario.client(scenario.acme.admin)
            let onB = try b.client(key: scenario.acme.editor)
            defer { Task { await onB.close() } }
            defer { scenario.double.releaseHeldReplies() }
            let job = try await Self.startFirstSyncHeldOpen(scenario, onA, database: database)
            var iterator = try await onA.watchProgress(jobID: job).makeAsyncIterator()
            _ = try await onB.cancelSync(jobID: job)
            scenario.double.releaseHeldReplies()
            var final: ProgressUpdate?
            while let update = try await iterator.next() { final = update }
            #expect(final?.state == .cancelled)
            let open = try await PostgresCluster.shared.psql(Self.openTransactions, database: database)
            #expect(open == "0", "the cancelled run's transaction was still open at its final message")
            try await Self.expectNothingAppliedThenRerun(scenario, onA)
        }
    }

    /// Starts an all-users sync on A (`onA`) of the tenant without contacts, and returns its job id
    /// once its transaction is open: A's run opens it before the first page of users, whose answer
    /// is held (not the permission check's one-user page) until the caller releases it.
    static func startFirstSyncHeldOpen(_ scenario: Scenario, _ onA: RosterClient, database: String) async throws
        -> String
    {
        scenario.double.holdReplies { $0.path == "/v1.0/users" && $0.query["$top"] != "1" }
        let job = try #require(try await onA.startSync(Scenario.request(Scenario.allUsers())).job?.id)
        try await waitForNonZero(openTransactions, database: database, "A's first sync never opened its transaction")
        return job
    }

    /// Sessions of the test database inside a transaction and waiting for their client: a first
    /// sync's open transaction between two pages.
    static let openTransactions =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'"

    /// Polls `sql` (a count) in the test database until it is not 0.
    static func waitForNonZero(_ sql: String, database: String, _ failure: Comment) async throws {
        let count = try await eventually {
            try await PostgresCluster.shared.psql(sql, database: database)
        } until: {
            $0 != "0"
        }
        try #require(count != "0", failure)
    }

    /// After A's run was killed or cancelled: `client` shows no contacts, and a rerun through it is exact.
    static func expectNothingAppliedThenRerun(_ scenario: Scenario, _ client: RosterClient) async throws {
        #expect(try await scenario.contactIDs(client).isEmpty, "A's run left contacts behind")
        let rerun = try await scenario.sync(client, Scenario.request(Scenario.allUsers()))
        #expect(rerun.state == .succeeded)
        #expect(try await scenario.contactIDs(client).count == Self.inScope(scenario))
    }

    @Test(
        "A killed mid-apply: B reports the job INTERRUPTED within the lease, nothing is applied, a rerun on B is exact"
    )
    func failoverMidApply() async throws {
        try await Self.withReplicas(leaseSeconds: Self.killLease) { scenario, b, database in
            let onA = try scenario.client(scenario.acme.admin)
            let onB = try b.client(key: scenario.acme.admin)
            defer { Task { await onB.close() } }
            // A transaction of the test's own holds the tenant's row: A's apply, whose first
            // statement locks that row, waits inside its transaction until A is killed.
            let holder = Task {
                try await ChildProcessLock.hold(
                    // NO KEY UPDATE: the job rows' foreign-key checks (KEY SHARE) still pass.
                    "SELECT id FROM tenants WHERE id = 'acme' FOR NO KEY UPDATE",
                    database: database
                )
            }
            try await ChildProcessLock.waitUntilHeld(database: database)
            let job = try #require(try await onA.startSync(Scenario.request(Scenario.allUsers())).job?.id)
            let stream = try await onB.watchProgress(jobID: job)
            var iterator = stream.makeAsyncIterator()
            while let update = try await iterator.next(), update.phase != .applying {}
            // A's apply is waiting for the row lock: killed mid-apply, its transaction open.
            try await Self.waitForNonZero(
                "SELECT count(*) FROM pg_locks WHERE NOT granted",
                database: database,
                "A's apply never waited for the tenant's row"
            )
            await scenario.server.kill()
            var final: ProgressUpdate?
            while let update = try await iterator.next() { final = update }
            #expect(final?.state == .interrupted)
            try await ChildProcessLock.release(database: database)
            _ = try? await holder.value
            try await Self.expectNothingAppliedThenRerun(scenario, onB)
        }
    }

    @Test("a change-feed consumer on B gets every change of a sync that ran on A, in order, once")
    func changeFeedAcrossReplicas() async throws {
        try await Self.withReplicas { scenario, b, _ in
            let onA = try scenario.client(scenario.acme.admin)
            let onB = try b.client(key: scenario.acme.reader)
            defer { Task { await onB.close() } }
            let stream = try await onB.watchContactChanges(after: 0)
            var iterator = stream.makeAsyncIterator()
            let final = try await scenario.sync(onA, Scenario.request(Scenario.allUsers()))
            let added = try #require(final.summary?.added)
            var cursors: [Int64] = []
            while Int64(cursors.count) < added, let change = try await iterator.next() { cursors.append(change.cursor) }
            #expect(cursors == Array(1...added))
        }
    }

    @Test("CancelSync on B stops the job running on A, nothing applied")
    func cancelOnOtherReplica() async throws {
        try await Self.withReplicas { scenario, b, _ in
            let onA = try scenario.client(scenario.acme.admin)
            let onB = try b.client(key: scenario.acme.editor)
            defer { Task { await onB.close() } }
            scenario.double.inject([.throttle(retryAfter: 600)], pathPrefix: "/v1.0/users/delta")
            let job = try #require(try await onA.startSync(Scenario.request(Scenario.allUsers())).job?.id)
            let stream = try await onA.watchProgress(jobID: job)
            var iterator = stream.makeAsyncIterator()
            while let update = try await iterator.next(), update.throttleWaitMs == 0 {}
            let cancelled = try await onB.cancelSync(jobID: job)
            #expect(cancelled.job?.id == job)
            #expect(cancelled.job?.state == .cancelled)
            var final: ProgressUpdate?
            while let update = try await iterator.next() { final = update }
            #expect(final?.state == .cancelled, "A's own watchers see the cancel")
            #expect(try await scenario.contactIDs(onA).isEmpty)
        }
    }

    @Test("20 schedule ticks with both replicas up start 20 runs, not 40")
    func scheduleRunsOnce() async throws {
        try await Self.withReplicas(directory: .generated(userCount: 20)) { scenario, _, database in
            let admin = try scenario.client(scenario.acme.admin)
            var settings = UpdateSettingsRequest()
            settings.syncIntervalMinutes = 360
            _ = try await admin.updateSettings(settings)
            let makeDue =
                "UPDATE tenants SET next_sync_at = (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT - 1 WHERE id = 'acme'"
            for tick in 1...20 {
                // Due now, as six hours passing would; both replicas look every second.
                _ = try await PostgresCluster.shared.psql(makeDue, database: database)
                let runs = try await eventually(every: .milliseconds(100)) {
                    try await Self.scheduledRuns(admin)
                } until: {
                    $0.filter { $0.state == .succeeded }.count >= tick
                }
                try #require(runs.filter { $0.state == .succeeded }.count >= tick, "tick \(tick) never ran")
                // Each replica's next look comes before the next tick: a second run would start now.
                try await Task.sleep(for: .milliseconds(1_500))
            }
            let runs = try await Self.scheduledRuns(admin)
            #expect(runs.count == 20, "\(runs.map(\.id))")
            #expect(runs.allSatisfy { $0.state == .succeeded && $0.startedBy == "schedule" })
        }
    }

    /// The tenant's scheduled runs, newest first.
    static func scheduledRuns(_ client: RosterClient) async throws -> [SyncJob] {
        try await client.listSyncJobs(limit: 200).jobs.filter { $0.trigger == .scheduled }
    }

    @Test("50 tenants syncing at once, half started on A and half on B, all come out exact")
    func fiftyTenants() async throws {
        // 20 users each: the test is about 50 jobs at once on two replicas, not about their size.
        try await Self.withReplicas(directory: .generated(userCount: 20)) { scenario, b, _ in
            var admins: [String] = []
            for index in 0..<50 {
                let output = try await RosterdProcess.run(
                    ["tenants", "add", "t\(index)", "--data-dir", scenario.server.dataDirectory]
                        + scenario.server.storeArguments
                )
                admins.append(try #require(output.split(separator: "\n").last.map(String.init)))
            }
            let servers = [scenario.server, b]
            let finals = try await withThrowingTaskGroup(of: (Int, ProgressUpdate, Int).self) { group in
                for (index, key) in admins.enumerated() {
                    group.addTask {
                        let client = try servers[index % 2].client(key: key)
                        defer { Task { await client.close() } }
                        try await scenario.connect(client)
                        let final = try await scenario.sync(client, Scenario.request(Scenario.allUsers()))
                        return (index, final, try await scenario.contactIDs(client).count)
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = ($1.1, $1.2) }
            }
            #expect(finals.count == 50)
            let expected = Self.inScope(scenario)
            for (index, (final, count)) in finals.sorted(by: { $0.key < $1.key }) {
                #expect(final.state == .succeeded, "tenant t\(index): \(final.errorMessage)")
                #expect(count == expected, "tenant t\(index) holds \(count) contacts")
            }
        }
    }
}

/// A row lock held by a psql session of the test's own (application name `roster-test-lock`),
/// until ``release(database:)`` ends that session.
enum ChildProcessLock {
    static let applicationName = "roster-test-lock"

    /// Runs `lockingQuery` in a transaction that then sleeps; returns when the session is ended.
    static func hold(_ lockingQuery: String, database: String) async throws {
        _ = try? await PostgresCluster.shared.psql(
            "SET application_name = '\(applicationName)'; BEGIN; \(lockingQuery); SELECT pg_sleep(600); COMMIT",
            database: database
        )
    }

    /// Waits until the holding session sleeps with its lock.
    static func waitUntilHeld(database: String) async throws {
        try await ReplicaTests.waitForNonZero(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = '\(applicationName)' AND wait_event = 'PgSleep'",
            database: database,
            "the psql session holding the lock never got to sleep"
        )
    }

    /// Ends the holding session: its transaction rolls back and the lock is free.
    static func release(database: String) async throws {
        _ = try await PostgresCluster.shared.psql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '\(applicationName)'",
            database: database
        )
    }
}
