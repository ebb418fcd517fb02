import Foundation
import Logging
import RosterDirectory
import RosterService
import RosterStore
import Synchronization
import Testing

/// A directory whose group listing is what the test makes it: `pages` pages of `perPage` groups,
/// or (with `pages` nil) a next link that never ends. Everything else is unused.
private struct ListingDirectory: DirectorySource {
    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }
    var perPage: Int
    var pages: Int?
    let served = Counter()

    func mailEnabledSecurityGroups() -> DirectoryPages<DirectoryPage<DirectoryGroup>> {
        let (perPage, pages, served) = (perPage, pages, served)
        return DirectoryPages(pages: { cursor throws(DirectoryError) in
            let index = Int(cursor ?? "0") ?? 0
            served.value.add(1, ordering: .relaxed)
            let groups = (0..<perPage).map { n in
                DirectoryGroup(
                    id: "g\(index)-\(n)",
                    displayName: "Group \(index)-\(n)",
                    mail: nil,
                    mailEnabled: true,
                    securityEnabled: true
                )
            }
            let next = pages.map { index + 1 < $0 } ?? true ? String(index + 1) : nil
            return (DirectoryPage(items: groups), next)
        })
    }

    func verifyPermissions() async throws(DirectoryError) -> [String] { [] }
    func users() -> DirectoryPages<DirectoryPage<DirectoryUser>> {
        DirectoryPages(pages: { _ throws(DirectoryError) in (DirectoryPage(items: []), nil) })
    }
    func group(id: String) async throws(DirectoryError) -> DirectoryGroup { throw DirectoryError(.notFound, "unused") }
    func transitiveUserMembers(ofGroup id: String) -> DirectoryPages<DirectoryPage<DirectoryUser>> { users() }
    func userChanges(since deltaLink: String?) -> DirectoryPages<DeltaPage> {
        DirectoryPages(pages: { _ throws(DirectoryError) in (DeltaPage(changed: [], removed: [], deltaLink: "d"), nil) }
        )
    }
}

@Suite("Group cache bounds")
struct GroupCacheTests {
    func withCache(maxGroups: Int, _ body: (GroupCache) async throws -> Void) async throws {
        try await withTemporaryStore { store in
            let cache = GroupCache(
                store: store,
                connector: DirectoryConnector(),
                maxGroups: maxGroups,
                now: { 7 },
                logger: Logger(label: "test")
            )
            try await body(cache)
        }
    }

    @Test("more groups than the bound fail the refresh with limitExceeded; the previous groups keep answering")
    func tooManyGroups() async throws {
        try await withCache(maxGroups: 1_000) { cache in
            #expect(try await cache.refresh(tenant: "t", directory: ListingDirectory(perPage: 100, pages: 10)) == 1_000)
            do {
                try await cache.refresh(tenant: "t", directory: ListingDirectory(perPage: 100, pages: 11))
                Issue.record("1,100 groups were cached past a bound of 1,000")
            } catch let error as DirectoryError {
                #expect(error.code == .limitExceeded)
                #expect(error.message.contains("more than 1000 groups"))
            }
            #expect(try await cache.index(tenant: "t").groups.count == 1_000)
        }
    }

    @Test("a next link that loops over empty pages ends at the page bound")
    func loopingEmptyPages() async throws {
        try await withCache(maxGroups: 1_000) { cache in
            let looping = ListingDirectory(perPage: 0, pages: nil)
            await #expect(throws: DirectoryError.self) { try await cache.refresh(tenant: "t", directory: looping) }
            #expect(
                looping.served.value.load(ordering: .relaxed) <= 12,
                "10 pages allowed, one more read to refuse, one fetched ahead"
            )
        }
    }
}

@Suite("Group cache background refresh")
struct GroupCacheBackgroundTests {
    @Test("a background refresh asked for is carried out by run(), a child task that ends when cancelled")
    func refreshRunsUnderRun() async throws {
        try await withTemporaryStore(graphBaseURL: "demo:") { store in
            var tenant = try #require(try await store.tenant(id: "t"))
            tenant.connectionState = .authorized
            try await store.updateTenant(tenant)
            let cache = GroupCache(
                store: store,
                connector: DirectoryConnector(allowFileDirectories: true),
                now: { 7 },
                logger: Logger(label: "test")
            )
            #expect(try await cache.index(tenant: "t").groups.isEmpty)

            cache.refreshInBackground(tenant: "t")
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await cache.run() }
                let deadline = ContinuousClock.now + .seconds(120)
                while (try? await cache.index(tenant: "t").groups.isEmpty) ?? true, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(10))
                }
                group.cancelAll()
            }
            #expect(try await cache.index(tenant: "t").groups.count > 0, "the demo directory's groups arrived")
            #expect(try await store.groups(tenant: "t").refreshedAt == 7)
        }
    }
}
