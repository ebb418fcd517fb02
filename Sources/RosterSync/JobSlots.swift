import Synchronization

/// At most ``limit`` sync jobs run at once on a server; the rest wait in line, first come first
/// served, each told its place as the line moves. A thousand tenants syncing at the same moment
/// then cost the memory of ``limit`` runs, not of a thousand.
///
/// A cancelled wait (CancelSync, shutdown) leaves the line at once with `CancellationError`.
package final class JobSlots: Sendable {
    private struct Waiter {
        var ticket: Int
        var continuation: CheckedContinuation<Void, any Error>
        var onPlace: @Sendable (Int) -> Void
    }

    private struct State {
        var running = 0
        var nextTicket = 0
        var waiters: [Waiter] = []
        /// Tickets cancelled before their continuation was in line.
        var cancelledEarly: Set<Int> = []
    }

    /// How many jobs may run at once.
    package let limit: Int
    private let state = Mutex(State())

    package init(limit: Int) {
        self.limit = max(limit, 1)
    }

    /// Jobs running and waiting now.
    package var counts: (running: Int, waiting: Int) {
        state.withLock { ($0.running, $0.waiters.count) }
    }

    /// Waits for a slot; `onPlace` hears the place in line (1 = next) when the job must wait and
    /// whenever the line moves. Pair with ``release()`` once the job is done.
    package func acquire(onPlace: @escaping @Sendable (Int) -> Void) async throws {
        let ticket = state.withLock { state -> Int in
            defer { state.nextTicket += 1 }
            return state.nextTicket
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case run, cancelled, wait(Int) }
                let outcome = state.withLock { state -> Outcome in
                    if state.cancelledEarly.remove(ticket) != nil { return .cancelled }
                    if state.running < limit, state.waiters.isEmpty {
                        state.running += 1
                        return .run
                    }
                    state.waiters.append(Waiter(ticket: ticket, continuation: continuation, onPlace: onPlace))
                    return .wait(state.waiters.count)
                }
                switch outcome {
                case .run: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .wait(let place): onPlace(place)
                }
            }
        } onCancel: {
            let (waiter, moved) = state.withLock { state -> (Waiter?, [(Waiter, Int)]) in
                guard let index = state.waiters.firstIndex(where: { $0.ticket == ticket }) else {
                    state.cancelledEarly.insert(ticket)
                    return (nil, [])
                }
                let waiter = state.waiters.remove(at: index)
                return (waiter, state.waiters.enumerated().dropFirst(index).map { ($1, $0 + 1) })
            }
            waiter?.continuation.resume(throwing: CancellationError())
            for (other, place) in moved { other.onPlace(place) }
        }
    }

    /// Gives the slot to the first job in line, or frees it.
    package func release() {
        let (next, moved) = state.withLock { state -> (Waiter?, [(Waiter, Int)]) in
            guard !state.waiters.isEmpty else {
                state.running -= 1
                return (nil, [])
            }
            let next = state.waiters.removeFirst()
            return (next, state.waiters.enumerated().map { ($1, $0 + 1) })
        }
        next?.continuation.resume()
        for (waiter, place) in moved { waiter.onPlace(place) }
    }
}
