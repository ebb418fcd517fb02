import RosterStore
import Testing

@Suite("Change signal", .timeLimit(.minutes(10)))
struct ChangeSignalTests {
    @Test("a waiter wakes when its tenant advances, not another's; a stale generation returns at once")
    func wakes() async throws {
        let signal = ChangeSignal()
        let noted = signal.generation(tenant: "a")
        let waiter = Task { await signal.wait(tenant: "a", past: noted, timeout: .seconds(600)) }
        while signal.waiting == 0 { try await Task.sleep(for: .milliseconds(1)) }
        signal.advance(tenant: "b")
        #expect(signal.waiting == 1, "another tenant's change woke the waiter")
        signal.advance(tenant: "a")
        await waiter.value
        #expect(signal.waiting == 0)
        // The generation moved past `noted` already: no waiting at all.
        await signal.wait(tenant: "a", past: noted, timeout: .seconds(600))
    }

    @Test("a cancelled waiter returns and leaves nothing parked; advanceAll wakes every tenant's")
    func cancelAndAll() async throws {
        let signal = ChangeSignal()
        let cancelled = Task { await signal.wait(tenant: "a", past: 0, timeout: .seconds(600)) }
        while signal.waiting == 0 { try await Task.sleep(for: .milliseconds(1)) }
        cancelled.cancel()
        await cancelled.value
        #expect(signal.waiting == 0)
        let first = Task { await signal.wait(tenant: "x", past: 0, timeout: .seconds(600)) }
        let second = Task { await signal.wait(tenant: "y", past: 0, timeout: .seconds(600)) }
        while signal.waiting < 2 { try await Task.sleep(for: .milliseconds(1)) }
        signal.advanceAll()
        await first.value
        await second.value
        #expect(signal.generation(tenant: "x") == 1)
    }

    @Test("a waiter gives up after its timeout")
    func timeout() async throws {
        let signal = ChangeSignal()
        await signal.wait(tenant: "a", past: 0, timeout: .milliseconds(10))
        #expect(signal.waiting == 0)
    }
}
