internal import NIOCore
internal import Synchronization

/// Admits the calls of ``RPCRouter/Placement/background`` methods a few at a time over the whole
/// server, taking turns between connections.
///
/// A page of 1,000 contacts is milliseconds of CPU (the store's read, building and encoding the
/// response). Run as many at once as clients ask, they fill every core, and every other call
/// then waits for a core at each of its hops (event loop, store thread, event loop). With at
/// most `slots` of them running (default: one core fewer than the machine has) a core stays free
/// for everything else. A connection that asks for 100 pages gets them one turn at a time, in
/// rotation with every other connection that has such calls waiting.
final class BackgroundCallGate: Sendable {
    /// Who is admitted next: the decisions, without threads or continuations.
    struct State {
        let slots: Int
        private(set) var running = 0
        /// Each connection's waiting tickets, oldest first.
        private var waiting: [UInt64: CircularBuffer<UInt64>] = [:]
        /// The connections with tickets waiting, in the order their turns come (paused ones are
        /// left out until they resume).
        private var turns = CircularBuffer<UInt64>()
        /// Connections whose client is not reading: their calls wait, whatever slots are free.
        private(set) var paused: Set<UInt64> = []

        init(slots: Int) { self.slots = max(1, slots) }

        /// Tickets waiting now.
        var waitingCount: Int { waiting.values.reduce(0) { $0 + $1.count } }

        /// A call asks to run: true when it may start now, false when `ticket` waits its turn.
        mutating func enter(ticket: UInt64, connection: UInt64) -> Bool {
            let isPaused = paused.contains(connection)
            if running < slots && turns.isEmpty && !isPaused {
                running += 1
                return true
            }
            if waiting[connection, default: []].isEmpty && !isPaused { turns.append(connection) }
            waiting[connection, default: []].append(ticket)
            return false
        }

        /// The connection's client stopped reading (its channel is not writable): none of its
        /// calls is admitted until ``resume(connection:)``, so no slot builds a response that
        /// could only wait in memory. Calls already running finish.
        mutating func pause(connection: UInt64) {
            guard paused.insert(connection).inserted else { return }
            turns.removeAll { $0 == connection }
        }

        /// The connection can be written to again (or is gone): its waiting calls take their
        /// turn. Returns the tickets admitted now, into slots that were free.
        mutating func resume(connection: UInt64) -> [UInt64] {
            guard paused.remove(connection) != nil else { return [] }
            if waiting[connection] != nil { turns.append(connection) }
            var admitted: [UInt64] = []
            while running < slots, let ticket = admitNext() {
                running += 1
                admitted.append(ticket)
            }
            return admitted
        }

        /// A running call ended: the ticket admitted in its place (its slot passes on), if any.
        mutating func leave() -> UInt64? {
            guard let ticket = admitNext() else {
                running -= 1
                return nil
            }
            return ticket
        }

        /// Takes the next ticket in turn out of the line, if any.
        private mutating func admitNext() -> UInt64? {
            guard let connection = turns.popFirst() else { return nil }
            let ticket = waiting[connection]!.removeFirst()
            if waiting[connection]!.isEmpty {
                waiting[connection] = nil
            } else {
                turns.append(connection)  // its next call waits for the others' turns
            }
            return ticket
        }

        /// Whether `ticket` waits for its turn.
        func isWaiting(ticket: UInt64, connection: UInt64) -> Bool {
            waiting[connection]?.contains(ticket) ?? false
        }

        /// A waiting call gave up (cancelled): true when `ticket` was still waiting (and now is not).
        mutating func withdraw(ticket: UInt64, connection: UInt64) -> Bool {
            guard let index = waiting[connection]?.firstIndex(of: ticket) else { return false }
            waiting[connection]!.remove(at: index)
            if waiting[connection]!.isEmpty {
                waiting[connection] = nil
                turns.removeAll { $0 == connection }
            }
            return true
        }
    }

    private struct Guarded {
        var state: State
        var continuations: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        /// Tickets admitted before their task stored its continuation.
        var admittedEarly: Set<UInt64> = []
        var nextTicket: UInt64 = 0
    }

    private let guarded: Mutex<Guarded>

    /// A gate running at most `slots` calls at once (at least 1).
    init(slots: Int) {
        guarded = Mutex(Guarded(state: State(slots: slots)))
    }

    /// Calls running now, and waiting now (tests and metrics read them).
    var counts: (running: Int, waiting: Int) {
        guarded.withLock { ($0.state.running, $0.state.waitingCount) }
    }

    /// Runs `body` once the gate admits it; throws `CancellationError` when the task is cancelled
    /// while it waits.
    func run<T>(connection: UInt64, _ body: () async throws -> T) async throws -> T {
        // A call ended before its task first ran (the background threads were busy) must not
        // take a free slot and run.
        try Task.checkCancellation()
        try await enter(connection: connection)
        defer { leave() }
        return try await body()
    }

    private func enter(connection: UInt64) async throws {
        let ticket = guarded.withLock { guarded -> UInt64? in
            let ticket = guarded.nextTicket
            guarded.nextTicket += 1
            return guarded.state.enter(ticket: ticket, connection: connection) ? nil : ticket
        }
        guard let ticket else { return }
        let admitted = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let answer = guarded.withLock { guarded -> Bool? in
                    if guarded.admittedEarly.remove(ticket) != nil { return true }
                    // Withdrawn by a cancellation that came first.
                    guard guarded.state.isWaiting(ticket: ticket, connection: connection) else { return false }
                    guarded.continuations[ticket] = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            let continuation = guarded.withLock { guarded -> CheckedContinuation<Bool, Never>? in
                guard guarded.state.withdraw(ticket: ticket, connection: connection) else { return nil }
                return guarded.continuations.removeValue(forKey: ticket)
            }
            continuation?.resume(returning: false)
        }
        guard admitted else { throw CancellationError() }
    }

    private func leave() {
        wake { guarded in guarded.state.leave().map { [$0] } ?? [] }
    }

    /// Holds back the calls of `connection` (its client is not reading) until ``resume(connection:)``.
    func pause(connection: UInt64) {
        guarded.withLock { $0.state.pause(connection: connection) }
    }

    /// Whether the calls of `connection` are held back now.
    func isPaused(connection: UInt64) -> Bool {
        guarded.withLock { $0.state.paused.contains(connection) }
    }

    /// Lets the calls of `connection` take their turns again; also called when it closes.
    func resume(connection: UInt64) {
        wake { guarded in guarded.state.resume(connection: connection) }
    }

    /// Admits the tickets `decide` returns and wakes their tasks. One lock for both: a task
    /// that finds its ticket neither waiting nor admitted takes it as withdrawn.
    private func wake(_ decide: (inout Guarded) -> [UInt64]) {
        let continuations = guarded.withLock { guarded -> [CheckedContinuation<Bool, Never>] in
            decide(&guarded).compactMap { ticket in
                if let continuation = guarded.continuations.removeValue(forKey: ticket) { return continuation }
                guarded.admittedEarly.insert(ticket)  // its task has not stored its continuation yet
                return nil
            }
        }
        for continuation in continuations { continuation.resume(returning: true) }
    }
}
