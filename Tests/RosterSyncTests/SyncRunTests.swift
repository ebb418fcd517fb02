import RosterDirectory
import RosterStore
import RosterSync
import Testing

@Suite("Sync runs against the demo directory and a real SQLite store")
struct SyncRunTests {
    @Test("an all-users sync stores exactly the enabled member accounts, field for field")
    func allUsers() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        let demo = try SyncFixture.demo()
        let expected = Demo.expected(demo.export.users)
        #expect(expected.count == 947)

        let final = try await fixture.sync()
        #expect(final.state == .succeeded)
        #expect(final.mode == .full)
        #expect(final.added == expected.count)
        #expect((final.updated, final.removed) == (0, 0))
        #expect(final.fetched == demo.export.users.count)
        #expect(final.summary?.hasPrefix("Synchronized 947 contacts (947 added, 0 updated, 0 removed) in ") == true)
        #expect(final.percent == 100)
        #expect(try await fixture.contacts() == expected)

        let again = try await fixture.sync()
        #expect(again.mode == .full, "a file directory keeps no change history: resync falls back to full")
        #expect((again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 947))
    }

    @Test("a tenant that opts in to disabled accounts gets them too; guests never")
    func includeDisabled() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        try await fixture.updateTenant { $0.includeDisabled = true }
        let final = try await fixture.sync()
        #expect(final.state == .succeeded)
        let expected = Demo.expected(try SyncFixture.demo().export.users, includeDisabled: true)
        #expect(expected.count == 981)
        #expect(try await fixture.contacts() == expected)
    }

    @Test("a group scope syncs the transitive members (nested groups expanded) and removes everyone outside")
    func groupScope() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        let export = try SyncFixture.demo().export
        try await fixture.sync()

        let scope = SyncScope.group(id: Demo.europeStaff, name: "Europe Staff")
        let refused = try await fixture.sync(scope)
        #expect(refused.state == .failed)
        #expect(refused.error?.code == .scopeChangeNeedsAcknowledgement)
        let outside = 947 - Demo.expected(Demo.transitiveUsers(of: Demo.europeStaff, in: export)).count
        #expect(refused.error?.removalCount == outside)
        #expect(refused.error?.message.contains("would remove \(outside) contacts") == true)
        #expect(refused.error?.message.contains("people outside this group will be removed") == true)
        #expect(try await fixture.contacts().count == 947, "a refused run changes nothing")

        let final = try await fixture.sync(scope, acknowledge: true)
        #expect(final.state == .succeeded)
        let expected = Demo.expected(Demo.transitiveUsers(of: Demo.europeStaff, in: export))
        let ukStaff = Demo.expected(Demo.transitiveUsers(of: Demo.ukStaff, in: export))
        #expect(
            !ukStaff.isEmpty && ukStaff.keys.allSatisfy { expected[$0] != nil },
            "UK Staff is nested in Europe Staff"
        )
        #expect(final.removed == outside)
        #expect(try await fixture.contacts() == expected)
        #expect(try await fixture.store.tenant(id: SyncFixture.tenant)?.scope == scope)

        let same = try await fixture.sync(.group(id: Demo.europeStaff, name: "Europe Staff"))
        #expect(same.state == .succeeded, "re-running the saved group scope needs no acknowledgement")
        #expect(same.unchanged == expected.count)
    }

    @Test(
        "groups that are not mail-enabled security groups are refused, naming their kind",
        arguments: [
            (Demo.ukNewsletter, "is a distribution list"),
            (Demo.ukMarketingTeam, "is a Microsoft 365 group"),
            (Demo.vpnUsers, "is a security group without mail"),
        ]
    )
    func refusedGroups(group: String, kind: String) async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        try await fixture.sync()
        let final = try await fixture.sync(.group(id: group, name: "x"), acknowledge: true)
        #expect(final.state == .failed)
        #expect(final.error?.code == .groupNotAllowed)
        #expect(final.error?.message.contains(kind) == true)
        #expect(final.error?.message.contains("only mail-enabled security groups can scope a sync") == true)
        let record = try #require(try await fixture.store.job(id: final.jobID))
        #expect(record.errorCode == "GROUP_NOT_ALLOWED")
        #expect(try await fixture.contacts().count == 947)
    }

    @Test("an unknown group fails with GROUP_NOT_FOUND and changes nothing")
    func unknownGroup() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        let final = try await fixture.sync(.group(id: "no-such-group", name: "Gone"), acknowledge: true)
        #expect(final.error?.code == .groupNotFound)
        #expect(try await fixture.contacts().isEmpty)
    }

    @Test("a dry run returns the plan with samples and changes nothing")
    func dryRun() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        let first = try await fixture.sync(dryRun: true)
        #expect(first.state == .succeeded)
        let plan = try #require(first.plan)
        #expect(plan.counts.added == 947)
        #expect(plan.toAdd.count == 20)
        #expect(
            first.summary == "Dry run: would add 947, update 0 and remove 0 contacts (947 after); nothing was changed"
        )
        #expect(try await fixture.contacts().isEmpty)
        #expect(try await fixture.store.cleanStaging(except: []) == 0, "the dry run dropped its staging")

        try await fixture.sync()
        let group = try await fixture.sync(.group(id: Demo.ukStaff, name: "UK Staff"), dryRun: true)
        let groupPlan = try #require(group.plan)
        #expect(groupPlan.counts.removed > 500)
        #expect(group.message.contains("a real run would stop"), "the dry run warns about the acknowledgement")
        #expect(try await fixture.contacts().count == 947)
        #expect(try await fixture.store.tenant(id: SyncFixture.tenant)?.scope == .allUsers)
    }
}
