import GraphTestDouble
import RosterDirectory
import Testing

@Suite("GraphDirectory delta queries against the Graph double")
struct GraphDirectoryDeltaTests {
    @Test(
        "a first delta run lists every user across pages and ends with a deltaLink; every page asks for odata.maxpagesize"
    )
    func firstRun() async throws {
        // Pages of 200 (as Graph's delta serves without the preference) unless the client prefers more.
        try await GraphDoubleHarness.run(TestDirectories.generated(450), configure: { $0.pageSize = 200 }) { harness in
            let pages = try await harness.directory.userChanges(since: nil).collect()
            #expect(pages.map(\.changed.count) == [200, 200, 50])
            #expect(pages.dropLast().allSatisfy { $0.deltaLink == nil })
            #expect(pages.last?.deltaLink?.contains("$deltatoken=") == true)
            #expect(pages.allSatisfy { $0.removed.isEmpty })
            let requests = harness.graphRequests("/v1.0/users/delta")
            let first = try #require(requests.first)
            #expect(first.query["$select"] == DirectoryUser.graphSelect.joined(separator: ","))
            #expect(first.query["$top"] == nil, "delta takes no $top")
            #expect(
                requests.count == 3 && requests.allSatisfy { $0.headers["prefer"] == "odata.maxpagesize=200" },
                "sent again on every page"
            )
        }
        try await GraphDoubleHarness.run(TestDirectories.generated(1_500)) { harness in
            let pages = try await harness.directory.userChanges(since: nil).collect()
            #expect(pages.map(\.changed.count) == [999, 501], "odata.maxpagesize=999 by default")
        }
    }

    @Test("$deltatoken=latest gives a delta link at once; a directory answering with a page instead gives none")
    func latestDeltaLink() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(300)) { harness in
            let link = try #require(try await harness.directory.latestDeltaLink())
            #expect(link.contains("$deltatoken=") && !link.contains("latest"))
            #expect(try await harness.directory.userCount() == 300)
            let count = try #require(harness.graphRequests("/v1.0/users/$count").first)
            #expect(count.headers["consistencylevel"] == "eventual")
            // Nothing changed since: the link gives only the double's replay.
            harness.double.updateUser(id: GraphDoubleDirectory.userID(9), ["jobTitle": .string("New")])
            let changes = try await harness.directory.userChanges(since: link).collect()
            #expect(changes.flatMap(\.changed).map(\.id).contains(GraphDoubleDirectory.userID(9)))

            let page = #"{"@odata.nextLink":"\#(harness.double.baseURL)/v1.0/users/delta?$skiptoken=x","value":[]}"#
            harness.double.inject([.rawBody(status: 200, body: page)], pathPrefix: "/v1.0/users/delta")
            #expect(try await harness.directory.latestDeltaLink() == nil)
        }
    }

    @Test("the stored deltaLink returns only changed and added users, and removals as @removed")
    func changesAndRemovals() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(300)) { harness in
            let link = try #require(try await harness.directory.userChanges(since: nil).collect().last?.deltaLink)
            let changedID = GraphDoubleDirectory.userID(7)
            let removedID = GraphDoubleDirectory.userID(8)
            harness.double.updateUser(id: changedID, ["jobTitle": .string("Chief O'Brien Officer"), "city": .null])
            harness.double.removeUser(id: removedID)
            harness.double.addUser(["id": "new-user", "displayName": "Zoë New", "userType": "Member"])

            let pages = try await harness.directory.userChanges(since: link).collect()
            let changed = pages.flatMap(\.changed)
            // With the double's replay of the first user listed, as Graph may replay entries.
            #expect(Set(changed.map(\.id)) == [GraphDoubleDirectory.userID(0), changedID, "new-user"])
            let updated = try #require(changed.first { $0.id == changedID })
            #expect(updated.jobTitle == "Chief O'Brien Officer")
            #expect(updated.city == nil)
            #expect(changed.first { $0.id == "new-user" }?.mail == nil, "unset properties read as nil")
            // Graph says "changed" for a user moved to deleted items; the double does too.
            #expect(pages.flatMap(\.removed) == [.init(id: removedID, reason: "changed")])

            let next = try #require(pages.last?.deltaLink)
            let quiet = try await harness.directory.userChanges(since: next).collect()
            #expect(
                quiet.flatMap(\.changed).map(\.id) == ["new-user"],
                "nothing changed since: only Graph's replay of the last change"
            )
            #expect(quiet.allSatisfy { $0.removed.isEmpty })
            let replay = try await harness.directory.userChanges(since: link).collect()
            #expect(
                Set(replay.flatMap(\.changed).map(\.id)) == [GraphDoubleDirectory.userID(0), changedID, "new-user"],
                "an old link replays harmlessly (with the double's replayed first user)"
            )
        }
    }

    @Test("an expired delta link answers 410 and is reported as resyncRequired")
    func expiredLink() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(10)) { harness in
            let link = try #require(try await harness.directory.userChanges(since: nil).collect().last?.deltaLink)
            harness.double.expireDeltaLinks()
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.userChanges(since: link).collect()
            }
            #expect(error.code == .resyncRequired)
            #expect(error.httpStatus == 410)
            #expect(error.directoryCode == "syncStateNotFound")
            #expect(error.message.contains("full sync"))
            #expect(harness.recorder.sleeps.isEmpty, "410 is not retried")
        }
    }

    @Test("a nextLink that leaves the Graph host is refused, so the token never goes elsewhere")
    func foreignLinkRefused() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(10)) { harness in
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.userChanges(since: "http://203.0.113.9/v1.0/users/delta?$deltatoken=1")
                    .collect()
            }
            #expect(error.code == .permanent)
            #expect(harness.double.requests.isEmpty)
        }
    }
}
