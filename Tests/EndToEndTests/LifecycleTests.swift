import Foundation
import GraphTestDouble
import RosterClient
import RosterRPC
import RosterStore
import RosterWire
import Testing

/// Restarts, kills, shutdown, the schedule and many watchers, against real rosterd processes.
@Suite("End to end: lifecycle", .serialized, .timeLimit(.minutes(10)))
struct LifecycleTests {
    @Test("SIGKILL mid-sync: after restart the job is INTERRUPTED, contacts unchanged, the next sync correct")
    func killMidSync() async throws {
        try await Scenario.run { scenario in
            var admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            _ = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            let before = try await scenario.contactIDs(admin)
            let gone = Array(before.sorted().prefix(5))
            for id in gone { #expect(scenario.double.removeUser(id: id)) }
            scenario.double.inject([.throttle(retryAfter: 600)], pathPrefix: "/v1.0/users")
            let started = try await admin.startSync(Scenario.request(Scenario.allUsers(), forceFull: true))
            let job = try #require(started.job?.id)
            for try await update in try await admin.watchProgress(jobID: job) where update.throttleWaitMs > 0 { break }

            await scenario.server.kill()
            try await scenario.restart()
            admin = try scenario.client(scenario.acme.admin)
            let jobs = try await admin.listSyncJobs().jobs
            #expect(jobs.first?.id == job)
            #expect(jobs.first?.state == .interrupted)
            #expect(try await scenario.contactIDs(admin) == before)
            let watched = try #require(try await scenario.watch(admin, job: job).last)
            #expect(watched.state == .interrupted)

            let final = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(final.state == .succeeded)
            #expect(try await scenario.contactIDs(admin) == before.subtracting(gone))
        }
    }

    @Test("SIGTERM: a sync that cannot finish within the grace period ends INTERRUPTED, and rosterd exits 0")
    func gracefulShutdown() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            // A wait far longer than the grace period (2 s) and terminate()'s own 60 s: rosterd exits 0
            // only if the shutdown cuts it short.
            scenario.double.inject([.throttle(retryAfter: 600)], pathPrefix: "/v1.0/users")
            let started = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            let job = try #require(started.job?.id)
            let stream = try await admin.watchProgress(jobID: job)
            var iterator = stream.makeAsyncIterator()
            while let update = try await iterator.next(), update.throttleWaitMs == 0 {}
            #expect(await scenario.server.terminate() == 0)
            try await scenario.restart()
            let jobs = try await scenario.client(scenario.acme.reader).listSyncJobs().jobs
            #expect(jobs.first?.state == .interrupted)
            #expect(jobs.first?.errorCode == "INTERRUPTED")
        }
    }

    @Test("an automatic sync runs the saved scope when due and is in the job history")
    func scheduledRun() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            _ = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            var settings = UpdateSettingsRequest()
            settings.syncIntervalMinutes = 2
            await expectStatus(.invalidArgument) { _ = try await admin.updateSettings(settings) }
            settings.syncIntervalMinutes = 360
            let updated = try await admin.updateSettings(settings)
            let now = Int64(Date().timeIntervalSince1970 * 1_000)
            #expect(updated.nextScheduledUnixMs > now + 359 * 60_000)
            #expect(try await admin.getStatus().nextScheduledUnixMs == updated.nextScheduledUnixMs)

            // Make it due now, as six hours passing would (the store is shared with the server).
            let store = try SQLiteStore(configuration: .init(directory: scenario.server.dataDirectory))
            var tenant = try #require(try await store.tenant(id: "acme"))
            tenant.nextSyncAt = now - 1
            try await store.updateTenant(tenant)
            await store.close()

            let scheduled = try await eventually(every: .milliseconds(100)) {
                try await admin.listSyncJobs().jobs.first { $0.trigger == .scheduled }
            } until: {
                $0?.state == .succeeded
            }
            let job = try #require(scheduled)
            #expect(job.state == .succeeded)
            #expect(job.startedBy == "schedule")
            #expect(job.mode == .delta)
            let status = try await admin.getStatus()
            #expect(status.nextScheduledUnixMs > now + 359 * 60_000)
        }
    }

    @Test("100 watchers on one job, one never reading: all the others see every phase and the summary")
    func manyWatchers() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            // The first page's answer is held until every watcher has its first update: the job is
            // still fetching however slowly the watchers attach.
            scenario.double.holdReplies(pathPrefix: "/v1.0/users/delta")
            defer { scenario.double.releaseHeldReplies() }
            let started = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            let job = try #require(started.job?.id)
            let stalled = try await admin.watchProgress(jobID: job)  // opened, never read
            let (attached, attach) = AsyncStream.makeStream(of: Void.self)
            let finals = try await withThrowingTaskGroup(of: [ProgressUpdate].self) { group in
                for _ in 0..<99 {
                    group.addTask {
                        var updates: [ProgressUpdate] = []
                        // Counted at its first update, or at its end without one: the wait below
                        // never outlives a watcher that failed.
                        defer { if updates.isEmpty { attach.yield() } }
                        for try await update in try await admin.watchProgress(jobID: job) {
                            if updates.isEmpty { attach.yield() }
                            updates.append(update)
                        }
                        return updates
                    }
                }
                var firsts = 0
                for await _ in attached {
                    firsts += 1
                    if firsts == 99 { break }
                }
                scenario.double.releaseHeldReplies()
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(finals.count == 99)
            for updates in finals {
                #expect(updates.last?.state == .succeeded)
                #expect(updates.last?.summary?.text.hasPrefix("Synchronized") == true)
                #expect(updates.filter(\.final).count == 1)
                #expect(Set(updates.map(\.phase)).isSuperset(of: [.fetching, .applying]))
            }
            _ = stalled
            // A finished job yields its final message alone.
            let late = try await scenario.watch(admin, job: job)
            #expect(late.count == 1)
            #expect(late.first?.final == true)
        }
    }
}
