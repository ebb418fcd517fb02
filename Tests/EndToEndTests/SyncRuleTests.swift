import Foundation
import GraphTestDouble
import RosterClient
import RosterRPC
import RosterWire
import Testing

/// The rules of a sync (docs/product.md, "Guarantees of a sync"), against a real rosterd over TLS and
/// the Graph double.
@Suite("End to end: sync rules", .serialized, .timeLimit(.minutes(10)))
struct SyncRuleTests {
    @Test("a distribution list, a Microsoft 365 group and a security group without mail are refused by name")
    func wrongGroupKinds() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            for (group, kind) in [
                (Scenario.ukNewsletter, "is a distribution list"),
                (Scenario.ukMarketingTeam, "is a Microsoft 365 group"),
                (Scenario.ukLaptopPolicy, "is a security group without mail"),
            ] {
                let error = await expectStatus(.invalidArgument) {
                    _ = try await admin.startSync(Scenario.request(Scenario.group(group), acknowledge: true))
                }
                #expect(error?.message.contains(kind) == true, "\(error?.message ?? "")")
                #expect(error?.message.contains("only mail-enabled security groups can scope a sync") == true)
            }
            await expectStatus(.notFound) {
                _ = try await admin.startSync(Scenario.request(Scenario.group("00000000-0000-0000-0000-000000000000")))
            }
            #expect(try await admin.listSyncJobs().jobs.isEmpty)
        }
    }

    @Test(
        "a group scope needs acknowledgement, the dry run changes nothing, then everyone outside the group is removed"
    )
    func groupScope() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            let all = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(all.state == .succeeded)
            let before = try await scenario.contactIDs(admin)
            #expect(Int64(before.count) == all.summary?.totalContacts)
            #expect(all.summary?.text.hasPrefix("Synchronized ") == true)
            #expect(all.summary?.text.contains(" added, ") == true)

            let members = scenario.transitiveMembers(of: Scenario.ukStaff)
            let kept = before.intersection(members)
            let refused = await expectStatus(.failedPrecondition) {
                _ = try await admin.startSync(Scenario.request(Scenario.group(Scenario.ukStaff)))
            }
            #expect(
                refused?.message.contains("would remove \(before.count - kept.count) contacts") == true,
                "\(refused?.message ?? "")"
            )
            #expect(refused?.message.contains("all user data for people outside this group will be removed") == true)

            let dryRun = try await admin.startSync(Scenario.request(Scenario.group(Scenario.ukStaff), dryRun: true))
            let plan = try #require(dryRun.plan)
            #expect(plan.toRemove == Int64(before.count - kept.count))
            #expect(plan.toAdd == 0)
            #expect(plan.sample.contains { $0.action == .remove })
            #expect(dryRun.job?.state == .succeeded)
            #expect(try await scenario.contactIDs(admin) == before)

            let final = try await scenario.sync(
                admin,
                Scenario.request(Scenario.group(Scenario.ukStaff), acknowledge: true)
            )
            #expect(final.state == .succeeded)
            #expect(final.summary?.removed == Int64(before.count - kept.count))
            let after = try await scenario.contactIDs(admin)
            #expect(after == kept)
            #expect(!after.isEmpty)
            let outsider = try #require(before.subtracting(members).first)
            await expectStatus(.notFound) { _ = try await admin.getContact(.id(outsider)) }
            let status = try await admin.getStatus()
            #expect(status.savedScope?.kind == .group)
            #expect(status.savedScope?.groupDisplayName == "UK Staff")
        }
    }

    @Test("more removals than the deletion threshold stop before applying unless acknowledged")
    func deletionThreshold() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            _ = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            var settings = UpdateSettingsRequest()
            settings.deletionThreshold = 10
            #expect(try await admin.updateSettings(settings).settings?.deletionThreshold == 10)
            let before = try await scenario.contactIDs(admin)
            let gone = Array(before.sorted().prefix(20))
            for id in gone { #expect(scenario.double.removeUser(id: id)) }

            let stopped = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(stopped.state == .failed)
            #expect(stopped.errorCode == "REMOVALS_NEED_ACKNOWLEDGEMENT")
            #expect(stopped.errorMessage.contains("remove 20 contacts, more than the deletion threshold of 10"))
            #expect(try await scenario.contactIDs(admin) == before)

            let applied = try await scenario.sync(admin, Scenario.request(Scenario.allUsers(), acknowledge: true))
            #expect(applied.state == .succeeded)
            #expect(applied.summary?.removed == 20)
            #expect(try await scenario.contactIDs(admin) == before.subtracting(gone))
        }
    }

    @Test("after a full sync the next is a delta; after a 410 it falls back to full by itself")
    func deltaAndResync() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            let full = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            #expect(full.job?.mode == .full)
            _ = try await scenario.watch(admin, job: try #require(full.job?.id))
            let someone = try #require(try await scenario.contactIDs(admin).sorted().first)
            #expect(scenario.double.updateUser(id: someone, ["jobTitle": "Chief Delta Officer"]))

            let delta = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            #expect(delta.job?.mode == .delta)
            let deltaJob = try #require(delta.job?.id)
            let deltaFinal = try #require(try await scenario.watch(admin, job: deltaJob).last)
            #expect(deltaFinal.state == .succeeded)
            #expect(deltaFinal.summary?.updated == 1)
            #expect(try await admin.getContact(.id(someone)).contact?.jobTitle == "Chief Delta Officer")

            scenario.double.expireDeltaLinks()
            let resync = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            #expect(resync.job?.mode == .delta)
            let resyncJob = try #require(resync.job?.id)
            let resyncFinal = try #require(try await scenario.watch(admin, job: resyncJob).last)
            #expect(resyncFinal.state == .succeeded)
            let jobs = try await admin.listSyncJobs().jobs
            #expect(jobs.first?.id == resync.job?.id)
            #expect(jobs.first?.mode == .full, "a delta that met 410 runs on as a full sync")
            #expect(jobs.map(\.state) == [.succeeded, .succeeded, .succeeded])
        }
    }

    @Test("Retry-After is honoured and shows in the progress stream")
    func throttlingVisible() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            // Two answers of 429 with Retry-After: 5. The first is held until the watcher has its
            // first update, so it sees the waits however late it attaches on a loaded machine.
            scenario.double.inject([.throttle(retryAfter: 5), .throttle(retryAfter: 5)], pathPrefix: "/v1.0/users")
            scenario.double.holdReplies(pathPrefix: "/v1.0/users")
            defer { scenario.double.releaseHeldReplies() }
            let started = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            var updates: [ProgressUpdate] = []
            for try await update in try await admin.watchProgress(jobID: try #require(started.job?.id)) {
                if updates.isEmpty { scenario.double.releaseHeldReplies() }
                updates.append(update)
            }
            let waiting = try #require(updates.first { $0.throttleWaitMs > 0 })
            #expect(waiting.throttleWaitMs == 5_000)
            #expect(waiting.message.contains("throttling"))
            let final = try #require(updates.last)
            #expect(final.state == .succeeded)
            #expect(final.throttleWaitMs == 0)
            // Counted from the watcher's first update: the time the first answer was held is not a wait.
            let first = try #require(updates.first)
            #expect(final.elapsedMs - first.elapsedMs >= 10_000, "both waits were honoured")
        }
    }

    @Test("cancel stops the job and applies nothing")
    func cancel() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            // A wait far longer than the test: only the cancel can end it.
            scenario.double.inject([.throttle(retryAfter: 600)], pathPrefix: "/v1.0/users")
            let started = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            let job = try #require(started.job?.id)
            let again = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            #expect(again.alreadyRunning)
            #expect(again.job?.id == job)
            // Wait until the job is in its throttling wait.
            for try await update in try await admin.watchProgress(jobID: job) where update.throttleWaitMs > 0 { break }
            // The running job filters by the current rule: that option waits for it.
            var settings = UpdateSettingsRequest()
            settings.includeDisabledAccounts = true
            await expectStatus(.failedPrecondition) { _ = try await admin.updateSettings(settings) }
            // So does a change of the additional user properties (the job selects the old list).
            var attributes = UpdateSettingsRequest()
            attributes.attributes = AttributeList(["employeeId"])
            let refused = await expectStatus(.failedPrecondition) { _ = try await admin.updateSettings(attributes) }
            #expect(refused?.message == "sync job \(job) is running; change attributes once it has ended")
            let cancelled = try await admin.cancelSync()
            #expect(cancelled.job?.state == .cancelled)
            #expect(try await scenario.contactIDs(admin).isEmpty)
            let final = try #require(try await scenario.watch(admin, job: job).last)
            #expect(final.state == .cancelled)
            #expect(final.final)
            await expectStatus(.failedPrecondition) { _ = try await admin.cancelSync() }
        }
    }
}
