import Foundation
import GraphTestDouble
import RosterClient
import RosterWire
import Testing

/// The change feed through a real `rosterd`: paged and live reads, resuming after the server
/// drops the connection, and a cursor that fell out of the retained history.
@Suite("End to end: the contact change feed", .serialized, .timeLimit(.minutes(10)))
struct ChangeFeedTests {
    /// Every change after `after`, paged until caught up.
    static func allChanges(_ client: RosterClient, after: Int64 = 0) async throws -> [ContactChange] {
        var changes: [ContactChange] = []
        var cursor = after
        while true {
            let page = try await client.listContactChanges(after: cursor, pageSize: 7)
            changes += page.changes
            cursor = page.nextCursor
            if !page.hasMore { return changes }
        }
    }

    @Test("a sync's changes are listed in order from the first page's cursor; later ones stream live to a reader")
    func listAndWatch() async throws {
        try await Scenario.run(photos: true) { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            let reader = try scenario.client(scenario.acme.reader)
            try await scenario.connect(admin)
            let first = try await reader.listContacts(ListContactsRequest())
            #expect(first.changeCursor == 0)
            _ = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            let ids = try await scenario.contactIDs(admin)
            let changes = try await Self.allChanges(reader)
            #expect(changes.map(\.cursor) == Array(1...Int64(changes.count)))
            // The apply's adds come first, then the photos the refresh after it wrote.
            let added = changes.prefix(ids.count)
            #expect(added.allSatisfy { $0.kind == .added && $0.source == .directory && $0.contact != nil })
            #expect(Set(added.map(\.contactID)) == ids)
            let photos = changes.dropFirst(ids.count)
            #expect(!photos.isEmpty, "the demo directory has photos")
            #expect(photos.allSatisfy { $0.kind == .updated && $0.source == .photo && ids.contains($0.contactID) })
            let cursor = try await reader.listContacts(ListContactsRequest()).changeCursor
            #expect(cursor == Int64(changes.count))
            // The other tenant's feed is its own.
            let beta = try scenario.client(scenario.beta.reader)
            #expect(try await beta.listContactChanges(after: 0).changes.isEmpty)

            let stream = try await reader.watchContactChanges(after: cursor)
            var live = stream.makeAsyncIterator()
            let sorted = ids.sorted()
            #expect(scenario.double.updateUser(id: sorted[0], ["jobTitle": "Chief Feed Officer"]))
            #expect(scenario.double.removeUser(id: sorted[1]))
            let delta = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(delta.state == .succeeded)
            let one = try #require(try await live.next())
            let two = try #require(try await live.next())
            #expect([one.cursor, two.cursor] == [cursor + 1, cursor + 2])
            #expect(one.kind == .removed && one.contactID == sorted[1] && one.contact == nil)
            #expect(two.kind == .updated && two.contact?.jobTitle == "Chief Feed Officer")
            // Bad cursors: negative is INVALID_ARGUMENT; ahead of the newest is FAILED_PRECONDITION.
            await expectStatus(.invalidArgument) { _ = try await reader.listContactChanges(after: -1) }
            await expectStatus(.failedPrecondition) { _ = try await reader.listContactChanges(after: cursor + 3) }
        }
    }

    /// `call`'s result, the call made again while the server drops the connection under it
    /// (UNAVAILABLE): 100 ms between attempts (a call on a draining connection can fail at once),
    /// at most 300 attempts.
    static func acrossDrops<Result>(_ call: () async throws -> Result) async throws -> Result {
        for _ in 1..<300 {
            do {
                return try await call()
            } catch let error as RPCError where error.code == .unavailable {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        return try await call()
    }

    /// A sync whose start and watch are made again when the server drops the connection under them.
    static func syncAcrossDrops(_ client: RosterClient) async throws {
        let started = try await acrossDrops { try await client.startSync(Scenario.request(Scenario.allUsers())) }
        let job = try #require(started.job?.id)
        let final = try await acrossDrops {
            var final: ProgressUpdate?
            for try await update in try await client.watchProgress(jobID: job) where update.final { final = update }
            return final
        }
        #expect(final?.state == .succeeded)
    }

    @Test("a consumer whose connection the server drops resumes from its cursor: nothing missed, nothing twice")
    func resumeAfterDroppedConnection() async throws {
        // Every connection is closed after 2 s (its streams end UNAVAILABLE): the consumer below
        // outlives several. Every call of the test's own is made again when its connection goes.
        try await Scenario.run(serverArguments: ["--max-connection-age", "2"]) { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            _ = try await Self.acrossDrops { try await scenario.connect(admin) }
            let consumer = try scenario.client(scenario.acme.reader)
            let collected = Task {
                var seen: [ContactChange] = []
                for try await change in consumer.contactChanges(after: 0) {
                    seen.append(change)
                    if change.contactID == "feed-last" { break }
                }
                return seen
            }
            try await Self.syncAcrossDrops(admin)
            let ids = try await Self.acrossDrops { try await scenario.contactIDs(admin) }.sorted()
            // Changes committed across several dropped connections.
            for round in 0..<3 {
                try await Task.sleep(for: .milliseconds(2_500))
                #expect(scenario.double.updateUser(id: ids[round], ["jobTitle": .string("Round \(round)")]))
                try await Self.syncAcrossDrops(admin)
            }
            scenario.double.addUser([
                "id": .string("feed-last"), "displayName": .string("Last Of The Feed"),
                "userPrincipalName": .string("last@contoso.example"), "accountEnabled": .bool(true),
                "userType": .string("Member"),
            ])
            try await Self.syncAcrossDrops(admin)
            let seen = try await collected.value
            #expect(seen.map(\.cursor) == Array(1...Int64(seen.count)), "a change was missed or repeated")
            // The directory's changes (the photos the first sync wrote are numbered among them).
            let fromDirectory = seen.filter { $0.source == .directory }
            #expect(fromDirectory.count == ids.count + 4)
            #expect(fromDirectory.suffix(4).map(\.kind) == [.updated, .updated, .updated, .added])
            let log = (try? String(contentsOfFile: scenario.server.logPath, encoding: .utf8)) ?? ""
            #expect(log.contains("maximum age"), "the server never dropped a connection")
        }
    }

    @Test("a cursor older than the retained history is FAILED_PRECONDITION; ListContacts' cursor resumes")
    func outOfRetention() async throws {
        // Long enough that the live watcher below reads its change before the prune, however
        // loaded the machine.
        try await Scenario.run(serverArguments: ["--change-retention", "10s"]) { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            _ = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            // The server prunes every second at this retention; give it up to 60 s.
            var refused: RPCError?
            for _ in 0..<120 where refused == nil {
                do {
                    _ = try await admin.listContactChanges(after: 0)
                    try await Task.sleep(for: .milliseconds(500))
                } catch let error as RPCError {
                    refused = error
                }
            }
            let error = try #require(refused)
            #expect(error.code == .failedPrecondition)
            #expect(error.message.contains("ListContacts"), "the status does not say how to recover: \(error.message)")
            await expectStatus(.failedPrecondition) {
                for try await _ in try await admin.watchContactChanges(after: 0) {}
            }
            let cursor = try await admin.listContacts(ListContactsRequest()).changeCursor
            #expect(cursor > 0)
            #expect(try await admin.listContactChanges(after: cursor).changes.isEmpty)
            // Watched rather than listed afterwards: the new change is itself pruned 10 s later.
            var live = try await admin.watchContactChanges(after: cursor).makeAsyncIterator()
            let someone = try #require(try await scenario.contactIDs(admin).sorted().first)
            #expect(scenario.double.updateUser(id: someone, ["jobTitle": "After The Prune"]))
            _ = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            let next = try #require(try await live.next())
            #expect(next.cursor == cursor + 1)
            #expect(next.contact?.jobTitle == "After The Prune")
        }
    }

    @Test("with --change-retention 0 the feed is off and says so")
    func feedOff() async throws {
        try await Scenario.run(serverArguments: ["--change-retention", "0"]) { scenario in
            let reader = try scenario.client(scenario.acme.reader)
            let error = await expectStatus(.failedPrecondition) { _ = try await reader.listContactChanges(after: 0) }
            #expect(error?.message.contains("off") == true)
            #expect(
                error?.message.contains("--change-retention 0") == true,
                "the refusal names the flag that turned the feed off"
            )
        }
    }
}
