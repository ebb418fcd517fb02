import GraphTestDouble
import RosterDirectory
import RosterStore
import RosterSync
import Synchronization
import Testing

/// The demo directory with Graph's shortcut for a full run: a delta link for now
/// (`$deltatoken=latest`) and a count (`/users/$count`). Its users come in pages of 100; it notes
/// the job's progress when the listing asks for the second page, and refuses to page the delta query.
struct ShortcutDirectory: ForwardingDirectory {
    static let link = "https://graph.example/v1.0/users/delta?$deltatoken=now"
    let inner: FileDirectory
    let onSecondPage: @Sendable () -> Void

    func latestDeltaLink() async throws(DirectoryError) -> String? { Self.link }
    func userCount() async throws(DirectoryError) -> Int? { inner.export.users.count }

    func users() -> DirectoryPages<DirectoryPage<DirectoryUser>> {
        let (users, onSecondPage) = (inner.export.users, onSecondPage)
        return DirectoryPages(pages: { cursor throws(DirectoryError) in
            let start = Int(cursor ?? "0") ?? 0
            if start == 100 { onSecondPage() }
            let end = min(start + 100, users.count)
            return (DirectoryPage(items: Array(users[start..<end])), end < users.count ? String(end) : nil)
        })
    }

    func userChanges(since deltaLink: String?) -> DirectoryPages<DeltaPage> {
        DirectoryPages(pages: { _ throws(DirectoryError) in
            throw DirectoryError(.permanent, "a full run with a delta link for now must not page the delta query")
        })
    }
}

@Suite("A full sync takes the delta link first, then lists users")
struct FullListingTests {
    @Test(
        "the delta link comes first, the listing replaces the contacts, the total is known while fetching, the end names a phase"
    )
    func shortcut() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        let demo = try SyncFixture.demo()
        let manager = fixture.manager
        let seen = Mutex<SyncProgress?>(nil)
        fixture.source.current = ShortcutDirectory(inner: demo) {
            seen.withLock { $0 = manager.progress.latest(job: "job-1") }
        }
        let final = try await fixture.sync()
        #expect(final.state == .succeeded)
        #expect(final.mode == .full)
        #expect(final.phase == .applying, "the final message names the phase it ended in")
        #expect(try await fixture.store.tenant(id: SyncFixture.tenant)?.deltaLink == ShortcutDirectory.link)
        #expect(try await fixture.contacts().count == 947)
        let during = try #require(seen.withLock { $0 })
        #expect(during.phase == .fetching)
        #expect(during.fetched <= 100, "the listing is still running (pages are fetched one ahead)")
        #expect(during.total == demo.export.users.count, "the count is known before the listing ends")
    }

    @Test("against the Graph double a full sync of 2,500 users costs 6 Graph requests besides one per contact's photo")
    func graphRequests() async throws {
        try await DeltaSyncTests.withDouble(users: 2_500) { double, fixture, _ in
            let final = try await fixture.sync()
            #expect(final.state == .succeeded && final.mode == .full)
            #expect(double.photoRequests.count == final.total, "each contact's photo metadata, none has a photo")
            let graph = double.requests.filter {
                $0.path.hasPrefix("/v1.0/") && GraphDouble.photoRequest(path: $0.path) == nil
            }
            #expect(
                graph.map(\.path) == [
                    "/v1.0/users", "/v1.0/users/delta", "/v1.0/users/$count", "/v1.0/users", "/v1.0/users",
                    "/v1.0/users",
                ]
            )
            #expect(graph[1].query["$deltatoken"] == "latest")
            #expect(graph[2].headers["consistencylevel"] == "eventual")
            #expect(graph.suffix(3).allSatisfy { $0.query["$top"] == "999" })
            // The next run is a delta from the link taken first.
            double.updateUser(id: GraphDoubleDirectory.userID(7), ["jobTitle": .string("Taken after the link")])
            let delta = try await fixture.sync()
            #expect(delta.mode == .delta && delta.updated == 1)
            #expect(
                try await fixture.store.contact(tenant: SyncFixture.tenant, id: GraphDoubleDirectory.userID(7))?
                    .jobTitle == "Taken after the link"
            )
        }
    }
}
