import Foundation
import RosterService
import RosterStore
import Synchronization
import Testing

@Suite("Contact search")
struct ContactSearchTests {
    /// A task executor on a thread of its own, standing in for the event loop a handler prefers.
    final class PretendEventLoop: TaskExecutor, @unchecked Sendable {
        private let queue = DispatchQueue(label: "pretend-event-loop")
        private let key = DispatchSpecificKey<Bool>()

        init() { queue.setSpecific(key: key, value: true) }

        /// Whether the caller runs on this executor's thread.
        var isCurrent: Bool { DispatchQueue.getSpecific(key: key) == true }

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }
    }

    final class Counter: Sendable {
        private let count = Atomic(0)
        var value: Int { count.load(ordering: .relaxed) }
        func add() { count.add(1, ordering: .relaxed) }
    }

    @Test("a search filters the contacts off the event loop its call prefers, and pages them")
    func searchRunsOffTheEventLoop() async throws {
        let everyone = (0..<5_000).map { number in
            var contact = ContactRecord(id: String(format: "%05d", number))
            contact.displayName = "Person \(number)"
            return contact
        }
        let loop = PretendEventLoop()
        let chunksReadOnTheLoop = Counter()
        func search(after: String?) async throws -> ContactSearch.Page {
            try await withTaskExecutorPreference(loop) {
                try await ContactSearch(query: "PERSON 1").page(after: after, pageSize: 100) { after, limit in
                    if loop.isCurrent { chunksReadOnTheLoop.add() }
                    return Array(everyone.lazy.filter { $0.id > (after ?? "") }.prefix(limit))
                }
            }
        }
        let first = try await search(after: nil)
        // "Person 1", "Person 10"–"19", "Person 100"–"199", "Person 1000"–"1999".
        #expect(first.total == 1_111)
        #expect(
            first.contacts.map(\.displayName) == ["Person 1"] + (10...19).map { "Person \($0)" }
                + (100...188).map { "Person \($0)" }
        )
        #expect(first.hasMore)
        let last = try await search(after: "01900")
        #expect(last.contacts.map(\.displayName) == (1_901...1_999).map { "Person \($0)" })
        #expect(!last.hasMore)
        #expect(chunksReadOnTheLoop.value == 0)
    }
}
