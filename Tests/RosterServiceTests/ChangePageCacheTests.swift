import RosterService
import RosterWire
import Synchronization
import Testing

/// The shared pages of WatchContactChanges: which loads are kept, joined, aged out and evicted.
@Suite("Change feed page cache")
struct ChangePageCacheTests {
    /// Changes `first…last` of a feed.
    static func changes(_ range: ClosedRange<Int64>) -> [ContactChange] {
        range.map { cursor in
            var change = ContactChange()
            change.cursor = cursor
            change.contactID = "c\(cursor)"
            return change
        }
    }

    /// A cache of pages of 4 changes over a feed of `newest` changes, counting its loads.
    final class Feed: Sendable {
        let newest: Mutex<Int64>
        let loads = Mutex<[Int64]>([])
        let clock = Milliseconds()
        let cache: ChangePageCache

        /// The cache's clock, set by the test.
        final class Milliseconds: Sendable {
            let now = Mutex<Int64>(0)
            func set(_ value: Int64) { now.withLock { $0 = value } }
        }

        init(newest: Int64, capacity: Int = 64) {
            self.newest = Mutex(newest)
            let clock = clock
            cache = ChangePageCache(pageSize: 4, capacity: capacity, maxAgeMilliseconds: 5_000) {
                clock.now.withLock { $0 }
            }
        }

        func read(after cursor: Int64, generation: UInt64 = 0) async throws -> [Int64] {
            try await cache.page(tenant: "t", containingChangeAfter: cursor, generation: generation) { after in
                self.loads.withLock { $0.append(after) }
                let newest = self.newest.withLock { $0 }
                return after < newest ? ChangePageCacheTests.changes(after + 1...min(newest, after + 4)) : []
            }
            .map(\.cursor)
        }
    }

    @Test("pages are aligned to the numbering; a full page is read once for every cursor inside it")
    func fullPagesShared() async throws {
        let feed = Feed(newest: 10)
        #expect(try await feed.read(after: 0) == [1, 2, 3, 4])
        #expect(try await feed.read(after: 2) == [1, 2, 3, 4], "the page holding change 3")
        #expect(try await feed.read(after: 5) == [5, 6, 7, 8])
        #expect(try await feed.read(after: 7) == [5, 6, 7, 8])
        #expect(feed.loads.withLock { $0 } == [0, 4])
    }

    @Test("a page that is not full is read again: later commits may add to it")
    func partialPagesNotKept() async throws {
        let feed = Feed(newest: 6)
        #expect(try await feed.read(after: 4) == [5, 6])
        feed.newest.withLock { $0 = 7 }
        #expect(try await feed.read(after: 6) == [5, 6, 7])
        #expect(feed.loads.withLock { $0 } == [4, 4])
    }

    @Test("a kept page is used for at most maxAge, then read again")
    func pagesAgeOut() async throws {
        let feed = Feed(newest: 8)
        _ = try await feed.read(after: 0)
        feed.clock.set(5_000)
        _ = try await feed.read(after: 1)
        #expect(feed.loads.withLock { $0 } == [0], "5 s old: still used")
        feed.clock.set(5_001)
        _ = try await feed.read(after: 1)
        #expect(feed.loads.withLock { $0 } == [0, 0])
    }

    @Test("at most capacity pages are kept, the oldest evicted first")
    func capacityBound() async throws {
        let feed = Feed(newest: 40, capacity: 2)
        for (time, cursor) in [(0, 0), (1, 4), (2, 8)] as [(Int64, Int64)] {
            feed.clock.set(time)
            _ = try await feed.read(after: cursor)
        }
        _ = try await feed.read(after: 5)  // page 1: kept
        _ = try await feed.read(after: 9)  // page 2: kept
        _ = try await feed.read(after: 1)  // page 0: evicted, read again
        #expect(feed.loads.withLock { $0 } == [0, 4, 8, 0])
    }

    @Test("removeAll forgets every page (after the feed was pruned)")
    func removeAll() async throws {
        let feed = Feed(newest: 8)
        _ = try await feed.read(after: 0)
        feed.cache.removeAll()
        _ = try await feed.read(after: 0)
        #expect(feed.loads.withLock { $0 } == [0, 0])
    }

    @Test("a load under way is joined, but one not yet full only by a caller whose commit news it does not predate")
    func joiningLoads() {
        var state = ChangePageCache.State(capacity: 8, maxAgeMilliseconds: 5_000)
        let key = ChangePageCache.Key(tenant: "t", page: 0)
        let load = Task<[ContactChange], any Error> { [] }
        state.started(key, ChangePageCache.Entry(load: load, startedAt: 0, generation: 3), now: 0)
        #expect(state.usable(key, generation: 3, now: 10) != nil)
        #expect(state.usable(key, generation: 2, now: 10) != nil)
        #expect(state.usable(key, generation: 4, now: 10) == nil, "a commit it may have missed")
        state.ended(key, load: load, full: true)
        #expect(state.usable(key, generation: 9, now: 10) != nil, "a full page is final")
        // An older load ending does not touch the newer one that replaced it.
        let other = ChangePageCache.Key(tenant: "t", page: 1)
        let older = Task<[ContactChange], any Error> { [] }
        state.started(other, ChangePageCache.Entry(load: load, startedAt: 20, generation: 5), now: 20)
        state.ended(other, load: older, full: false)
        #expect(state.entries[other] != nil)
        state.ended(other, load: load, full: false)
        #expect(state.entries[other] == nil, "not full: forgotten")
    }

    @Test("many callers at once on one page make one load")
    func concurrentCallersCoalesce() async throws {
        let feed = Feed(newest: 8)
        try await withThrowingTaskGroup(of: [Int64].self) { group in
            for cursor in 0..<50 { group.addTask { try await feed.read(after: Int64(cursor % 4)) } }
            for try await page in group { #expect(page == [1, 2, 3, 4]) }
        }
        #expect(feed.loads.withLock { $0 } == [0])
    }
}
