import RosterStore
import RosterSync
import Synchronization
import Testing

@Suite("ProgressHub keeps only the newest state per watcher")
struct ProgressHubTests {
    static func progress(_ job: String = "job-1", state: JobState = .running, fetched: Int = 0) -> SyncProgress {
        var record = SyncJobRecord(
            id: job,
            tenantID: "tenant-1",
            scope: .allUsers,
            mode: .full,
            createdAt: 0,
            startedBy: nil,
            trigger: .manual
        )
        record.state = state
        record.fetched = fetched
        return SyncProgress(job: record)
    }

    @Test("an unknown job has nothing to watch")
    func unknownJob() {
        #expect(ProgressHub().watch(job: "nope") == nil)
    }

    @Test(
        "the first value is the state now; a slow reader gets only the newest value, then the final one, then the end"
    )
    func coalescing() async throws {
        let hub = ProgressHub()
        hub.publish(Self.progress(fetched: 1))
        var updates = try #require(hub.watch(job: "job-1")).makeAsyncIterator()
        hub.publish(Self.progress(fetched: 2))
        #expect(await updates.next()?.fetched == 2, "the state when iteration starts")
        for fetched in 3...50 { hub.publish(Self.progress(fetched: fetched)) }
        #expect(await updates.next()?.fetched == 50, "intermediate values are skipped")
        hub.publish(Self.progress(state: .succeeded, fetched: 60))
        hub.publish(Self.progress(fetched: 70))
        let final = await updates.next()
        #expect(final?.state == .succeeded && final?.fetched == 60, "nothing is published after the final value")
        #expect(await updates.next() == nil)
    }

    @Test("a slow reader still sees every phase: the newest value of each, in order")
    func phasesAreKept() async throws {
        let hub = ProgressHub()
        func value(_ phase: JobPhase, _ fetched: Int, state: JobState = .running) -> SyncProgress {
            var progress = Self.progress(state: state, fetched: fetched)
            progress.phase = phase
            return progress
        }
        hub.publish(value(.authenticating, 0))
        var updates = try #require(hub.watch(job: "job-1")).makeAsyncIterator()
        #expect(await updates.next()?.phase == .authenticating)
        for fetched in 1...30 { hub.publish(value(.fetching, fetched)) }
        hub.publish(value(.applying, 30))
        hub.publish(value(.applying, 31))
        var final = value(.applying, 31, state: .succeeded)
        final.phase = nil
        hub.publish(final)
        let read = [await updates.next(), await updates.next(), await updates.next()]
        #expect(read.map { $0?.phase } == [.fetching, .applying, nil])
        #expect(read.map { $0?.fetched } == [30, 31, 31])
        #expect(read.last??.state == .succeeded)
        #expect(await updates.next() == nil)
    }

    @Test(
        "paced: values within a phase are held and the newest follows within the interval; a phase change and the end go at once"
    )
    func pacing() async throws {
        let hub = ProgressHub(pacing: .init(interval: .milliseconds(50)))
        func value(_ phase: JobPhase?, _ fetched: Int, state: JobState = .running) -> SyncProgress {
            var progress = Self.progress(state: state, fetched: fetched)
            progress.phase = phase
            return progress
        }
        hub.publish(value(.fetching, 0))
        var updates = try #require(hub.watch(job: "job-1")).makeAsyncIterator()
        #expect(await updates.next()?.fetched == 0)
        for fetched in 1...100 { hub.publish(value(.fetching, fetched)) }
        var fetching: [Int] = []
        while let next = await updates.next() {
            fetching.append(next.fetched)
            if next.fetched == 100 { break }
        }
        #expect(fetching.count <= 3, "held back, not one per value: \(fetching)")
        #expect(fetching == fetching.sorted())
        hub.publish(value(.applying, 100))
        #expect(await updates.next()?.phase == .applying, "a phase change goes at once")
        hub.publish(value(nil, 100, state: .succeeded))
        #expect(await updates.next()?.state == .succeeded)
        #expect(await updates.next() == nil)
    }

    @Test("a reader that has read the state now gets the next value published")
    func waitingReader() async throws {
        let hub = ProgressHub()
        hub.publish(Self.progress(fetched: 0))
        let updates = try #require(hub.watch(job: "job-1"))
        let (firstRead, signal) = AsyncStream<Void>.makeStream()
        let reader = Task {
            var iterator = updates.makeAsyncIterator()
            var seen = [await iterator.next()?.fetched]
            signal.yield()
            while let progress = await iterator.next() { seen.append(progress.fetched) }
            return seen
        }
        try await waitForSignal("the first read", firstRead)
        hub.publish(Self.progress(state: .succeeded, fetched: 9))
        #expect(await reader.value == [0, 9])
    }

    @Test("100 watchers, one never reading: the publisher never waits and every reader gets the final state")
    func manyWatchers() async throws {
        let hub = ProgressHub()
        hub.publish(Self.progress(fetched: 0))
        var stalled = try #require(hub.watch(job: "job-1")).makeAsyncIterator()
        let readers = try (0..<99).map { _ in
            let updates = try #require(hub.watch(job: "job-1"))
            return Task { () -> (count: Int, last: SyncProgress?) in
                var count = 0
                var last: SyncProgress?
                for await progress in updates {
                    count += 1
                    last = progress
                }
                return (count, last)
            }
        }
        // The stalled watcher registers when its iterator is made; the readers as their tasks start.
        try await waitFor("100 watchers attached") { hub.watcherCount(job: "job-1") == 100 }
        for fetched in 1...10_000 { hub.publish(Self.progress(fetched: fetched)) }
        hub.publish(Self.progress(state: .succeeded, fetched: 10_001))
        for reader in readers {
            let (count, last) = await reader.value
            #expect(last?.state == .succeeded && last?.fetched == 10_001)
            #expect(count >= 1 && count <= 10_002)
        }
        #expect(hub.watcherCount(job: "job-1") == 1, "readers that ended left; the stalled one keeps one slot")
        let first = await stalled.next()
        #expect(first?.state == .running && first?.fetched == 10_000, "of 10,000 running values, only the newest")
        #expect(await stalled.next()?.state == .succeeded)
        #expect(await stalled.next() == nil)
        #expect(hub.watcherCount(job: "job-1") == 0)
    }

    @Test("a late watcher of a finished job gets its final state and the end")
    func lateWatcher() async throws {
        let hub = ProgressHub()
        hub.publish(Self.progress(fetched: 5))
        hub.publish(Self.progress(state: .failed, fetched: 6))
        var updates = try #require(hub.watch(job: "job-1")).makeAsyncIterator()
        #expect(await updates.next()?.state == .failed)
        #expect(await updates.next() == nil)
    }

    @Test("finished jobs beyond finishedJobsKept are forgotten, oldest first; a dropped iterator frees its slot")
    func eviction() async throws {
        let hub = ProgressHub(finishedJobsKept: 2)
        for job in ["a", "b", "c"] { hub.publish(Self.progress(job, state: .succeeded)) }
        #expect(hub.latest(job: "a") == nil)
        #expect(hub.latest(job: "c")?.state == .succeeded)

        hub.publish(Self.progress("d"))
        do {
            var updates = try #require(hub.watch(job: "d")).makeAsyncIterator()
            #expect(await updates.next() != nil)
            #expect(hub.watcherCount(job: "d") == 1)
        }
        #expect(hub.watcherCount(job: "d") == 0)
    }

    @Test("a cancelled reader stops waiting and leaves")
    func cancelledReader() async throws {
        let hub = ProgressHub()
        hub.publish(Self.progress())
        let updates = try #require(hub.watch(job: "job-1"))
        let reader = Task {
            var count = 0
            for await _ in updates { count += 1 }
            return count
        }
        try await waitFor("the reader attached") { hub.watcherCount(job: "job-1") == 1 }
        reader.cancel()
        _ = await reader.value
        #expect(hub.watcherCount(job: "job-1") == 0)
    }
}
