import Testing

@testable import RosterRPC

@Suite("BackgroundCallGate: who runs next")
struct BackgroundCallGateTests {
    typealias State = BackgroundCallGate.State

    @Test("runs up to its slots at once; the next waits until one leaves")
    func slots() {
        var state = State(slots: 2)
        let first = state.enter(ticket: 1, connection: 10)
        let second = state.enter(ticket: 2, connection: 20)
        let third = state.enter(ticket: 3, connection: 30)
        #expect(first && second && !third)
        #expect(state.running == 2 && state.waitingCount == 1)
        let passedOn = state.leave()  // the slot passes on: still 2 running
        #expect(passedOn == 3)
        #expect(state.running == 2 && state.waitingCount == 0)
        let nobody = [state.leave(), state.leave()]
        #expect(nobody == [nil, nil])
        #expect(state.running == 0)
    }

    @Test("connections take turns: many calls of one do not hold back another's")
    func turns() {
        var state = State(slots: 1)
        var admitted = [state.enter(ticket: 1, connection: 10)]
        for ticket in 2...4 { admitted.append(state.enter(ticket: UInt64(ticket), connection: 10)) }
        admitted.append(state.enter(ticket: 5, connection: 20))
        #expect(admitted == [true, false, false, false, false])
        // First come first served would be 2, 3, 4, 5; in turns, connection 20 comes second.
        var order: [UInt64] = []
        while let next = state.leave() { order.append(next) }
        #expect(order == [2, 5, 3, 4])
        #expect(state.running == 0)
    }

    @Test("a call that gives up while waiting leaves the line; one already admitted cannot")
    func withdraw() {
        var state = State(slots: 1)
        let admitted = [
            state.enter(ticket: 1, connection: 10), state.enter(ticket: 2, connection: 20),
            state.enter(ticket: 3, connection: 30),
        ]
        #expect(admitted == [true, false, false])
        #expect(state.isWaiting(ticket: 2, connection: 20))
        let withdrawn = [
            state.withdraw(ticket: 2, connection: 20), state.withdraw(ticket: 2, connection: 20),
            state.withdraw(ticket: 1, connection: 10),  // running, not waiting
        ]
        #expect(withdrawn == [true, false, false])
        let next = state.leave()
        #expect(next == 3)
        let none = state.leave()
        #expect(none == nil && state.running == 0)
    }

    @Test("a paused connection's calls wait whatever slots are free, and take their turn when it resumes")
    func paused() {
        var state = State(slots: 1)
        let admitted = [
            state.enter(ticket: 1, connection: 10), state.enter(ticket: 2, connection: 20),
            state.enter(ticket: 3, connection: 20), state.enter(ticket: 4, connection: 30),
        ]
        #expect(admitted == [true, false, false, false])
        state.pause(connection: 20)
        let next = state.leave()
        #expect(next == 4)  // 20 is passed over
        let none = state.leave()
        #expect(none == nil && state.running == 0)
        let whilePaused = state.enter(ticket: 5, connection: 20)
        #expect(!whilePaused && state.running == 0)  // a free slot, yet it waits
        let other = state.enter(ticket: 6, connection: 40)
        #expect(other)  // other connections are not held back
        #expect(state.resume(connection: 20).isEmpty)  // no free slot: back in line
        var order: [UInt64] = []
        while let ticket = state.leave() { order.append(ticket) }
        #expect(order == [2, 3, 5])
        state.pause(connection: 20)
        _ = state.enter(ticket: 7, connection: 20)
        #expect(state.resume(connection: 20) == [7])  // a free slot: admitted at once
        #expect(state.running == 1 && state.paused.isEmpty)
    }

    @Test("a task waiting for a paused connection runs once it resumes")
    func pausedTask() async throws {
        let gate = BackgroundCallGate(slots: 1)
        gate.pause(connection: 1)
        let waiter = Task { try await gate.run(connection: 1) { 42 } }
        while gate.counts.waiting < 1 { await Task.yield() }
        #expect(gate.counts.running == 0)
        gate.resume(connection: 1)
        #expect(try await waiter.value == 42)
        #expect(gate.counts.running == 0 && gate.counts.waiting == 0)
    }

    @Test("a task cancelled before it reaches the gate does not take a free slot")
    func cancelledBeforeEntering() async throws {
        let gate = BackgroundCallGate(slots: 1)
        let (go, start) = AsyncStream.makeStream(of: Void.self)
        let late = Task {
            for await _ in go { break }  // reaches the gate only once cancelled
            try await gate.run(connection: 1) {}  // had it run, the task would return, not throw
        }
        late.cancel()
        start.yield()
        await #expect(throws: CancellationError.self) { try await late.value }
        #expect(gate.counts.running == 0)
    }

    @Test("zero or negative slots mean one")
    func atLeastOne() {
        var state = State(slots: 0)
        let admitted = [state.enter(ticket: 1, connection: 1), state.enter(ticket: 2, connection: 2)]
        #expect(admitted == [true, false])
    }

    @Test("a task cancelled while it waits throws CancellationError and takes no slot")
    func cancellation() async throws {
        let gate = BackgroundCallGate(slots: 1)
        let (held, release) = AsyncStream.makeStream(of: Void.self)
        let (entered, enteredSignal) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            try await gate.run(connection: 1) {
                enteredSignal.yield()
                for await _ in held { break }
            }
        }
        for await _ in entered { break }
        let waiter = Task { try await gate.run(connection: 2) { Issue.record("the cancelled waiter ran") } }
        while gate.counts.waiting < 1 { await Task.yield() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        #expect(gate.counts.waiting == 0)
        release.yield()
        try await holder.value
        #expect(gate.counts.running == 0)
        try await gate.run(connection: 3) {}
        #expect(gate.counts.running == 0)
    }
}
