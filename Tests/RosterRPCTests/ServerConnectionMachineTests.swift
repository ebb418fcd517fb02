import NIOCore
import Testing

@testable import RosterRPC

/// The server connection's decisions alone: every clock and bound, driven by hand-made times.
@Suite("ServerConnectionMachine")
struct ServerConnectionMachineTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    func machine(_ configure: (inout RPCServerLimits) -> Void = { _ in }) -> ServerConnectionMachine {
        var configuration = RPCServerLimits.defaults
        configure(&configuration)
        return ServerConnectionMachine(limits: .init(configuration), now: start)
    }

    func open(_ configure: (inout RPCServerLimits) -> Void = { _ in }) -> ServerConnectionMachine {
        var machine = machine(configure)
        machine.settingsReceived(now: start)
        return machine
    }

    @Test("no SETTINGS within the handshake timeout closes with DEADLINE_EXCEEDED")
    func handshakeTimeout() {
        var machine = machine()
        #expect(machine.nextDeadline == start + .seconds(10))
        #expect(machine.timerFired(now: start + .seconds(9)).isEmpty)
        #expect(
            machine.timerFired(now: start + .seconds(10)) == [
                .close(.deadlineExceeded, "no Roster preface and SETTINGS within 10 s", cause: .handshakeTimeout)
            ]
        )
    }

    @Test("SETTINGS stops the handshake clock and starts the idle one")
    func settingsOpen() {
        var machine = open()
        #expect(machine.phase == .open)
        #expect(machine.nextDeadline == start + .minutes(5))
        #expect(machine.timerFired(now: start + .seconds(11)).isEmpty)
        #expect(
            machine.timerFired(now: start + .minutes(5)) == [
                .close(.ok, "idle timeout: no calls for 300 s", cause: nil)
            ]
        )
    }

    @Test("an open call stops the idle clock; its end restarts it from then")
    func idleRestarts() {
        var machine = open()
        machine.callOpened(1, hasRequest: false, now: start + .seconds(1))
        machine.requestReceived(1)
        #expect(machine.nextDeadline == nil)
        #expect(machine.timerFired(now: start + .minutes(6)).isEmpty)
        #expect(machine.callClosed(1, now: start + .minutes(6)) == false)
        #expect(machine.nextDeadline == start + .minutes(11))
    }

    @Test("HEADERS without its MESSAGE ends the call with DEADLINE_EXCEEDED after the request timeout")
    func halfOpenCall() {
        var machine = open()
        machine.callOpened(1, hasRequest: false, now: start)
        machine.callOpened(3, hasRequest: false, now: start + .seconds(2))
        machine.callOpened(5, hasRequest: false, now: start + .seconds(2))
        machine.requestReceived(5)
        #expect(machine.nextDeadline == start + .seconds(10))
        let status = RPCError(.deadlineExceeded, "no request message within 10 s of the call's HEADERS")
        #expect(machine.timerFired(now: start + .seconds(10)) == [.endCalls([1], status, cause: .requestTimeout)])
        #expect(machine.nextDeadline == start + .seconds(12))
        #expect(machine.timerFired(now: start + .seconds(12)) == [.endCalls([3], status, cause: .requestTimeout)])
        #expect(machine.nextDeadline == nil)  // call 5 runs: no clock but its own deadline
    }

    @Test("a frame started and never finished closes the connection after the frame timeout")
    func partialFrame() {
        var machine = open()
        machine.readProcessed(completedFrames: 0, frameUnfinished: true, now: start + .seconds(1))
        // More bytes of the same frame do not restart its clock.
        machine.readProcessed(completedFrames: 0, frameUnfinished: true, now: start + .seconds(20))
        #expect(machine.nextDeadline == start + .seconds(31))
        #expect(
            machine.timerFired(now: start + .seconds(31)) == [
                .close(
                    .deadlineExceeded,
                    "a frame started 30 s ago is still incomplete; the limit is 30 s",
                    cause: .frameTimeout
                )
            ]
        )
    }

    @Test(
        "the frame clock restarts when a frame completes, stops when nothing is left, and waits while we cannot write"
    )
    func partialFrameProgress() {
        var machine = open { $0.sendStallTimeout = .seconds(120) }  // not this test's clock
        machine.readProcessed(completedFrames: 0, frameUnfinished: true, now: start)
        machine.readProcessed(completedFrames: 2, frameUnfinished: true, now: start + .seconds(25))
        #expect(machine.nextDeadline == start + .seconds(55))
        machine.readProcessed(completedFrames: 1, frameUnfinished: false, now: start + .seconds(26))
        #expect(machine.nextDeadline == start + .minutes(5))  // the idle clock only
        machine.readProcessed(completedFrames: 0, frameUnfinished: true, now: start + .seconds(30))
        machine.writabilityChanged(false, unsentBytes: 0, now: start + .seconds(30))
        #expect(machine.timerFired(now: start + .seconds(61)).isEmpty)
        machine.writabilityChanged(true, unsentBytes: 0, now: start + .seconds(61))
        #expect(machine.timerFired(now: start + .seconds(61)).count == 1)
    }

    @Test("a channel that stays unwritable for the send stall timeout closes with GOAWAY 8; writable again resets it")
    func sendStall() {
        var machine = open()
        machine.callOpened(1, hasRequest: true, now: start)
        machine.writabilityChanged(false, unsentBytes: 0, now: start + .seconds(1))
        #expect(machine.nextDeadline == start + .seconds(31))
        machine.writabilityChanged(false, unsentBytes: 0, now: start + .seconds(5))  // still the first moment counts
        #expect(machine.nextDeadline == start + .seconds(31))
        machine.writabilityChanged(true, unsentBytes: 0, now: start + .seconds(10))
        #expect(machine.nextDeadline == nil)  // a call is open: no idle clock either
        machine.writabilityChanged(false, unsentBytes: 0, now: start + .seconds(20))
        #expect(machine.timerFired(now: start + .seconds(49)).isEmpty)
        #expect(
            machine.timerFired(now: start + .seconds(50)) == [
                .close(
                    .resourceExhausted,
                    "the client is not reading its responses: nothing could be sent for 30 s; the limit is 30 s",
                    cause: .slowReader
                )
            ]
        )
    }

    @Test("a client that reads, however slowly, restarts the send stall clock; one that reads nothing is closed")
    func sendStallProgress() {
        var machine = open()
        machine.callOpened(1, hasRequest: true, now: start)
        machine.writabilityChanged(false, unsentBytes: 4_000_000, now: start)
        machine.unsentBytes(3_000_000, now: start + .seconds(30))  // a megabyte taken in 30 s
        #expect(machine.timerFired(now: start + .seconds(30)).isEmpty)
        #expect(machine.nextDeadline == start + .seconds(60))
        machine.unsentBytes(3_000_000, now: start + .seconds(60))  // nothing taken since
        #expect(machine.timerFired(now: start + .seconds(60)).count == 1)
    }

    @Test("a maximum connection age drains with GOAWAY 0, then ends calls after the grace period")
    func maxAge() {
        var machine = open { $0.maxConnectionAge = .seconds(60) }
        machine.callOpened(1, hasRequest: true, now: start)
        #expect(machine.nextDeadline == start + .seconds(60))
        #expect(
            machine.timerFired(now: start + .seconds(60)) == [
                .drain(.ok, "the connection reached its maximum age of 60 s; reconnect for new calls")
            ]
        )
        #expect(machine.phase == .draining)
        #expect(machine.nextDeadline == start + .seconds(70))
        let actions = machine.timerFired(now: start + .seconds(70))
        #expect(
            actions == [
                .endAllCalls(
                    RPCError(
                        .unavailable,
                        "the connection reached its maximum age and its calls outlived the grace period; retry on a new connection"
                    )
                )
            ]
        )
        #expect(machine.callClosed(1, now: start + .seconds(70)) == true)  // the last call: close
    }

    @Test("a maximum connection age with no calls open closes at once")
    func maxAgeIdle() {
        var machine = open { $0.maxConnectionAge = .seconds(60) }
        #expect(
            machine.timerFired(now: start + .seconds(60)) == [
                .close(.ok, "the connection reached its maximum age of 60 s; reconnect for new calls", cause: nil)
            ]
        )
    }

    @Test("draining with no calls closes at once; with calls, when the last ends")
    func draining() {
        var idle = open()
        #expect(idle.beginDraining(now: start, reason: RPCError(.unavailable, "x")) == true)
        var busy = open()
        busy.callOpened(1, hasRequest: true, now: start)
        #expect(busy.beginDraining(now: start, reason: RPCError(.unavailable, "x")) == false)
        #expect(busy.beginDraining(now: start, reason: RPCError(.unavailable, "x")) == false)  // once
        #expect(busy.callClosed(1, now: start + .seconds(1)) == true)
    }

    @Test("more than 10 PINGs in a second close the connection; a new second starts a new count")
    func pingFlood() {
        var machine = open()
        for _ in 0..<10 { #expect(machine.pingReceived(now: start) == nil) }
        #expect(
            machine.pingReceived(now: start + .milliseconds(500))
                == .close(.resourceExhausted, "too many PINGs: more than 10 in one second", cause: .pingFlood)
        )
        var later = open()
        for _ in 0..<10 { #expect(later.pingReceived(now: start) == nil) }
        #expect(later.pingReceived(now: start + .milliseconds(1001)) == nil)
    }

    @Test("bytes or answered calls over their bounds close a connection whose client does not read")
    func queuedBounds() {
        let machine = open {
            $0.connection.maxQueuedBytes = 1000; $0.maxUnsentCalls = 5
        }
        #expect(machine.checkQueued(bytes: 1000, unsentCalls: 5) == nil)
        #expect(
            machine.checkQueued(bytes: 1001, unsentCalls: 0)
                == .close(
                    .resourceExhausted,
                    "the client is not reading its responses: 1001 bytes wait to be sent, over the limit of 1000",
                    cause: .slowReader
                )
        )
        #expect(
            machine.checkQueued(bytes: 0, unsentCalls: 6)
                == .close(
                    .resourceExhausted,
                    "the client is not reading its responses: 6 answered calls wait to be sent, over the limit of 5",
                    cause: .slowReader
                )
        )
    }

    @Test("a closed connection keeps no clock")
    func closed() {
        var machine = open()
        machine.callOpened(1, hasRequest: false, now: start)
        machine.closed()
        #expect(machine.nextDeadline == nil)
        #expect(machine.timerFired(now: start + .hours(1)).isEmpty)
    }
}
