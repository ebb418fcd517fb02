import GraphTestDouble
import RosterDirectory
import RosterStore
import RosterSync
import Synchronization
import Testing

@Suite("Delta syncs and throttling against the Graph double")
struct DeltaSyncTests {
    /// Generated users 0..<count, without the guests (every 101st) and disabled accounts (every 97th).
    static func memberIDs(_ count: Int) -> Set<String> {
        Set((0..<count).filter { $0 % 101 != 0 && $0 % 97 != 0 }.map(GraphDoubleDirectory.userID))
    }

    /// Runs `body` with a started double serving `users` generated users and a fixture whose
    /// tenant reads it through `GraphDirectory`; waits are recorded, not slept, and each wait
    /// records the job's progress at that moment.
    static func withDouble(
        users: Int,
        groupMembers: [Int] = [],
        secret: String = "double-secret",
        doubleConfiguration: GraphDouble.Configuration = GraphDouble.Configuration(),
        waitsBlock: Bool = false,
        maxUsersFetchedWhole: Int = SyncLimits().maxUsersFetchedWhole,
        _ body: (GraphDouble, SyncFixture, _ progressAtWaits: @Sendable () -> [SyncProgress]) async throws -> Void
    ) async throws {
        var directory = GraphDoubleDirectory.generated(userCount: users)
        if !groupMembers.isEmpty {
            directory.groups = [
                [
                    "id": "g1", "displayName": "UK Staff", "mail": "uk@contoso.example", "mailEnabled": true,
                    "securityEnabled": true, "groupTypes": .array([]),
                ]
            ]
            directory.members["g1"] = groupMembers.map(GraphDoubleDirectory.userID)
        }
        try await GraphDouble.withRunning(directory: directory, configuration: doubleConfiguration) { double in
            let seen = Mutex<[SyncProgress]>([])
            let hub = Mutex<ProgressHub?>(nil)
            var limits = SyncLimits()
            limits.maxUsersFetchedWhole = maxUsersFetchedWhole
            let fixture = try await SyncFixture.make(
                limits: limits,
                directories: { tenant, onThrottle in
                    var configuration = GraphDirectory.Configuration(
                        directoryTenantID: "double-tenant",
                        clientID: "roster-app",
                        clientSecret: .init(secret)
                    )
                    configuration.authority = double.baseURL
                    configuration.graphBaseURL = double.baseURL
                    configuration.onThrottle = onThrottle
                    configuration.attributes = tenant.attributes
                    configuration.sleep = { _ in
                        // Job ids are job-1, job-2, …: record the newest progress of whichever runs.
                        let hub = hub.withLock { $0 }
                        let latest = (1...9).compactMap { hub?.latest(job: "job-\($0)") }.filter { !$0.isFinal }
                        seen.withLock { $0.append(contentsOf: latest) }
                        // A wait that lasts until cancelled, as a Retry-After of many minutes would.
                        if waitsBlock { try await Task.sleep(for: .seconds(3600)) }
                    }
                    return GraphDirectory(configuration: configuration)
                }
            )
            hub.withLock { $0 = fixture.manager.progress }
            defer { Task { await fixture.tearDown() } }
            try await body(double, fixture, { seen.withLock { $0 } })
        }
    }

    @Test("a delta entry with only its changed properties changes those and keeps every other field")
    func partialDeltaEntries() async throws {
        var configuration = GraphDouble.Configuration()
        configuration.deltaChangedPropertiesOnly = true
        try await Self.withDouble(users: 120, doubleConfiguration: configuration) { double, fixture, _ in
            #expect(try await fixture.sync().state == .succeeded)
            let id = GraphDoubleDirectory.userID(1)
            let before = try #require(try await fixture.store.contact(tenant: SyncFixture.tenant, id: id))
            #expect(before.city != nil && before.jobTitle != nil && before.mail != nil)
            double.updateUser(id: id, ["jobTitle": .string("Chief Partial Officer"), "city": .null])

            // The double really sends the entry partially, and the decoder says which properties came.
            var directoryConfiguration = GraphDirectory.Configuration(
                directoryTenantID: "double-tenant",
                clientID: "roster-app",
                clientSecret: .init("double-secret")
            )
            directoryConfiguration.authority = double.baseURL
            directoryConfiguration.graphBaseURL = double.baseURL
            let link = try #require(try await fixture.store.tenant(id: SyncFixture.tenant)?.deltaLink)
            var partial: [String: DirectoryUser.Properties] = [:]
            for try await page in GraphDirectory(configuration: directoryConfiguration).userChanges(since: link) {
                partial.merge(page.partial) { $1 }
            }
            // The cleared city is left out, as Graph leaves out nulls: the run must fetch the user.
            #expect(partial[id] == [.jobTitle])
            // Besides it, only the double's replay (the first user, whole but for its nulls).
            #expect(Set(partial.keys).subtracting([id]) == [GraphDoubleDirectory.userID(0)])

            let delta = try await fixture.sync()
            #expect(delta.state == .succeeded && delta.mode == .delta)
            #expect(delta.updated == 1)
            var expected = before
            expected.jobTitle = "Chief Partial Officer"
            expected.city = nil
            var after = try #require(try await fixture.store.contact(tenant: SyncFixture.tenant, id: id))
            after.changedAt = expected.changedAt
            #expect(after == expected)

            // A partial entry of a user who is not synced (user 0 is a guest): nothing to merge
            // with, so the user is fetched whole (and stays out: a guest); the run stays a delta.
            let guest = GraphDoubleDirectory.userID(0)
            double.updateUser(id: guest, ["jobTitle": .string("Visiting Partial")])
            let fetched = try await fixture.sync()
            #expect(fetched.state == .succeeded)
            #expect(fetched.mode == .delta)
            #expect(double.requests.contains { $0.path == "/v1.0/users/\(guest)" })
            #expect(try await fixture.store.contact(tenant: SyncFixture.tenant, id: guest) == nil)
            #expect(Set(try await fixture.contacts().keys) == Self.memberIDs(120))
        }
    }

    @Test("Graph leaves nulls out of delta rows: a new hire is fetched whole and the run stays a delta")
    func newHireWithNullsLeftOut() async throws {
        var configuration = GraphDouble.Configuration()
        configuration.deltaOmitsNullProperties = true
        try await Self.withDouble(users: 120, doubleConfiguration: configuration) { double, fixture, _ in
            #expect(try await fixture.sync().state == .succeeded)
            let id = GraphDoubleDirectory.userID(500)
            double.addUser([
                "id": .string(id), "userPrincipalName": "hire@contoso.example", "mail": "hire@contoso.example",
                "displayName": "New Hire", "givenName": "New", "surname": "Hire", "jobTitle": "Apprentice",
                "department": .null, "companyName": .null, "officeLocation": .null, "businessPhones": .array([]),
                "mobilePhone": .null, "faxNumber": .null, "streetAddress": .null, "city": "Leeds", "state": .null,
                "postalCode": .null, "country": .null, "accountEnabled": true, "userType": "Member",
            ])
            let delta = try await fixture.sync()
            #expect(delta.state == .succeeded)
            #expect(delta.mode == .delta, "\(delta.message)")
            #expect(delta.added == 1)
            let hire = try #require(try await fixture.store.contact(tenant: SyncFixture.tenant, id: id))
            #expect(hire.jobTitle == "Apprentice" && hire.city == "Leeds" && hire.department == nil)
            #expect(
                double.requests.filter {
                    $0.path.hasPrefix("/v1.0/users/0") && GraphDouble.photoRequest(path: $0.path) == nil
                }.map(\.path) == ["/v1.0/users/\(id)"]
            )
        }
    }

    @Test("a property cleared since the last sync and left out of its delta row is cleared in the store")
    func clearedPropertyLeftOut() async throws {
        var configuration = GraphDouble.Configuration()
        configuration.deltaOmitsNullProperties = true
        configuration.deltaChangedPropertiesOnly = true
        try await Self.withDouble(users: 120, doubleConfiguration: configuration) { double, fixture, _ in
            #expect(try await fixture.sync().state == .succeeded)
            let id = GraphDoubleDirectory.userID(1)
            let before = try #require(try await fixture.store.contact(tenant: SyncFixture.tenant, id: id))
            #expect(before.city != nil)
            double.updateUser(id: id, ["city": .null])
            let delta = try await fixture.sync()
            #expect(delta.state == .succeeded && delta.mode == .delta)
            #expect(delta.updated == 1)
            var expected = before
            expected.city = nil
            var after = try #require(try await fixture.store.contact(tenant: SyncFixture.tenant, id: id))
            after.changedAt = expected.changedAt
            #expect(after == expected)
        }
    }

    @Test("past the per-run bound of users fetched whole, the run becomes a full sync, exact all the same")
    func tooManyIncompleteRows() async throws {
        var configuration = GraphDouble.Configuration()
        configuration.deltaOmitsNullProperties = true
        configuration.deltaChangedPropertiesOnly = true
        try await Self.withDouble(users: 120, doubleConfiguration: configuration, maxUsersFetchedWhole: 3) {
            double,
            fixture,
            _ in
            #expect(try await fixture.sync().state == .succeeded)
            for n in 1...5 { double.updateUser(id: GraphDoubleDirectory.userID(n), ["city": .null]) }
            let delta = try await fixture.sync()
            #expect(delta.state == .succeeded)
            #expect(delta.mode == .full)
            // Said in the job record and to the server's log.
            let record = try #require(try await fixture.store.job(id: delta.jobID))
            #expect(
                record.note?.hasPrefix(
                    "running a full sync instead: more than 3 changed users came with properties left out"
                ) == true
            )
            #expect(fixture.notes.all.map(\.job) == [delta.jobID])
            for n in 1...5 {
                #expect(
                    try await fixture.store.contact(tenant: SyncFixture.tenant, id: GraphDoubleDirectory.userID(n))?
                        .city == nil
                )
            }
        }
    }

    @Test("a full all-users sync stores the member accounts and the delta link; the next run applies only changes")
    func deltaAfterFull() async throws {
        try await Self.withDouble(users: 450) { double, fixture, _ in
            let full = try await fixture.sync()
            #expect(full.state == .succeeded && full.mode == .full)
            #expect(Set(try await fixture.contacts().keys) == Self.memberIDs(450))
            #expect(try await fixture.store.tenant(id: SyncFixture.tenant)?.deltaLink?.contains("$deltatoken=") == true)

            let changed = GraphDoubleDirectory.userID(1)
            let removed = GraphDoubleDirectory.userID(2)
            let disabled = GraphDoubleDirectory.userID(3)
            double.updateUser(id: changed, ["jobTitle": .string("Chief Ö Officer"), "city": .null])
            double.removeUser(id: removed)
            double.updateUser(id: disabled, ["accountEnabled": .bool(false)])
            double.addUser(["id": "new-user", "displayName": "Zoë New", "userType": "Member", "accountEnabled": true])
            double.addUser(["id": "new-guest", "displayName": "A Guest", "userType": "Guest", "accountEnabled": true])

            let delta = try await fixture.sync()
            #expect(delta.state == .succeeded)
            #expect(delta.mode == .delta)
            #expect(delta.fetched < 10, "only the changes were fetched")
            #expect((delta.added, delta.updated, delta.removed) == (1, 1, 2))
            let contacts = try await fixture.contacts()
            var expected = Self.memberIDs(450)
            expected.subtract([removed, disabled])
            expected.insert("new-user")
            #expect(Set(contacts.keys) == expected)
            #expect(contacts[changed]?.jobTitle == "Chief Ö Officer")
            #expect(contacts[changed]?.city == nil)
            #expect(contacts["new-user"]?.displayName == "Zoë New")
        }
    }

    @Test("after a 410 on the stored delta link the run falls back to a full sync by itself")
    func fallbackAfterGone() async throws {
        try await Self.withDouble(users: 300) { double, fixture, _ in
            try await fixture.sync()
            // Expire first: the double refuses every link issued at a version before the next change.
            double.expireDeltaLinks()
            double.removeUser(id: GraphDoubleDirectory.userID(5))
            let run = try await fixture.sync()
            #expect(run.state == .succeeded)
            #expect(run.mode == .full, "the job reports the full run it became")
            #expect(run.removed == 1)
            let record = try #require(try await fixture.store.job(id: run.jobID))
            #expect(record.note?.hasPrefix("running a full sync instead: ") == true)
            #expect(fixture.notes.all.map(\.job) == [run.jobID])
            #expect(fixture.notes.all.first?.note == record.note)
            var expected = Self.memberIDs(300)
            expected.remove(GraphDoubleDirectory.userID(5))
            #expect(Set(try await fixture.contacts().keys) == expected)
            let afterwards = try await fixture.sync()
            #expect(afterwards.mode == .delta, "the full run stored a fresh delta link")
            #expect(try await fixture.store.job(id: afterwards.jobID)?.note == nil, "a run as asked has no note")
            #expect((afterwards.added, afterwards.updated, afterwards.removed) == (0, 0, 0))
        }
    }

    @Test("a group run clears the delta link, so the next all-users run is a full one")
    func scopeChangeForcesFull() async throws {
        try await Self.withDouble(users: 50, groupMembers: Array(0..<10)) { double, fixture, _ in
            try await fixture.sync()
            #expect(try await fixture.store.tenant(id: SyncFixture.tenant)?.deltaLink != nil)
            let group = try await fixture.sync(.group(id: "g1", name: "UK Staff"), acknowledge: true)
            #expect(group.state == .succeeded)
            #expect(Set(try await fixture.contacts().keys) == Self.memberIDs(10))
            let tenant = try #require(try await fixture.store.tenant(id: SyncFixture.tenant))
            #expect(tenant.deltaLink == nil)
            #expect(tenant.scope == .group(id: "g1", name: "UK Staff"))

            let all = try await fixture.sync()
            #expect(all.mode == .full)
            #expect(Set(try await fixture.contacts().keys) == Self.memberIDs(50))
            #expect(try await fixture.sync().mode == .delta)
        }
    }

    @Test("refused credentials fail the job and move the tenant to CREDENTIALS_INVALID with the directory's code")
    func credentialsInvalid() async throws {
        try await Self.withDouble(users: 10, secret: "wrong") { _, fixture, _ in
            try await fixture.updateTenant { $0.connectionState = .authorized }
            let final = try await fixture.sync()
            #expect(final.state == .failed)
            #expect(final.error?.code == .credentialsInvalid)
            #expect(final.phase == .authenticating)
            let tenant = try #require(try await fixture.store.tenant(id: SyncFixture.tenant))
            #expect(tenant.connectionState == .credentialsInvalid)
            #expect(tenant.connectionErrorCode == "AADSTS7000215")
            #expect(try await fixture.contacts().isEmpty)
        }
    }

    @Test("a throttling wait shows in the progress (the Retry-After in milliseconds), then clears")
    func throttlingInProgress() async throws {
        try await Self.withDouble(users: 450) { double, fixture, progressAtWaits in
            double.inject([.throttle(retryAfter: 7)], pathPrefix: "/v1.0/users/delta")
            let final = try await fixture.sync()
            #expect(final.state == .succeeded)
            let waits = progressAtWaits()
            #expect(waits.map(\.throttleWaitMilliseconds) == [7_000])
            #expect(waits.first?.message.contains("throttling") == true)
            #expect(final.throttleWaitMilliseconds == nil)
        }
    }
}

/// The demo directory, whose delta round (after a full run) sends one user twice, each time with
/// only one changed property, as Graph may when it replays a change. Fetched whole, the user has
/// both changes.
struct ReplayingDirectory: ForwardingDirectory {
    let inner: FileDirectory
    let userID: String

    func userChanges(since deltaLink: String?) -> DirectoryPages<DeltaPage> {
        guard deltaLink != nil else { return inner.userChanges(since: nil) }
        let id = userID
        return DirectoryPages(pages: { cursor throws(DirectoryError) in
            var entry = DirectoryUser(id: id)
            if cursor == nil {
                entry.jobTitle = "Replayed Title"
                return (DeltaPage(changed: [entry], removed: [], deltaLink: nil, partial: [id: [.jobTitle]]), "second")
            }
            entry.mobilePhone = "+44 7700 000000"
            return (DeltaPage(changed: [entry], removed: [], deltaLink: "next", partial: [id: [.mobilePhone]]), nil)
        })
    }
    /// The user as it is after both changes (the run fetches a user whose rows left out stored values).
    func users(ids: [String]) async throws(DirectoryError) -> [DirectoryUser] {
        var found = try await inner.users(ids: ids)
        for index in found.indices where found[index].id == userID {
            found[index].jobTitle = "Replayed Title"
            found[index].mobilePhone = "+44 7700 000000"
        }
        return found
    }
}

@Suite("Partial delta entries replayed within one round")
struct ReplayedPartialEntryTests {
    @Test("a user sent twice with different properties keeps both changes and every other field")
    func replayKeepsBothChanges() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        #expect(try await fixture.sync().state == .succeeded)
        let id = try #require(try await fixture.contacts().keys.sorted().first)
        let before = try #require(try await fixture.store.contact(tenant: SyncFixture.tenant, id: id))
        fixture.source.current = ReplayingDirectory(inner: try SyncFixture.demo(), userID: id)

        let delta = try await fixture.sync()
        #expect(delta.state == .succeeded && delta.mode == .delta)
        var expected = before
        expected.jobTitle = "Replayed Title"
        expected.mobilePhone = "+44 7700 000000"
        var after = try #require(try await fixture.store.contact(tenant: SyncFixture.tenant, id: id))
        after.changedAt = expected.changedAt
        #expect(after == expected)
    }
}
