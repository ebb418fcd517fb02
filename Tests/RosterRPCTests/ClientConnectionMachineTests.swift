import NIOCore
import Testing

@testable import RosterRPC

/// The client connection's decisions alone: keepalive and stream admission.
@Suite("ClientConnectionMachine")
struct ClientConnectionMachineTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)

    func machine(_ configure: (inout RPCClientConnection.Configuration) -> Void = { _ in }) -> ClientConnectionMachine {
        var configuration = RPCClientConnection.Configuration.defaults
        configure(&configuration)
        return ClientConnectionMachine(limits: .init(configuration), now: start)
    }

    @Test("silence for the interval sends a PING; no answer within the timeout closes")
    func keepaliveLost() {
        var machine = machine()
        #expect(machine.firstKeepaliveCheck == .seconds(30))
        #expect(machine.keepaliveTimerFired(now: start + .seconds(30)) == .ping(then: .seconds(10)))
        #expect(machine.keepaliveTimerFired(now: start + .seconds(39)) == .wait(.seconds(1)))
        #expect(
            machine.keepaliveTimerFired(now: start + .seconds(40))
                == .close(
                    RPCError(
                        .unavailable,
                        "the server did not answer a keepalive PING within 10 s; the connection is lost"
                    )
                )
        )
    }

    @Test("any frame from the server answers the PING and restarts the silence")
    func keepaliveAnswered() {
        var machine = machine()
        #expect(machine.keepaliveTimerFired(now: start + .seconds(30)) == .ping(then: .seconds(10)))
        machine.frameReceived(now: start + .seconds(31))
        #expect(!machine.pingOutstanding)
        #expect(machine.keepaliveTimerFired(now: start + .seconds(40)) == .wait(.seconds(21)))
        #expect(machine.keepaliveTimerFired(now: start + .seconds(61)) == .ping(then: .seconds(10)))
    }

    @Test("keepalive off: no checks")
    func keepaliveOff() {
        var machine = machine { $0.keepaliveInterval = nil }
        #expect(machine.firstKeepaliveCheck == nil)
        #expect(machine.keepaliveTimerFired(now: start + .hours(1)) == nil)
    }

    @Test("calls beyond the server's streams wait in order and start as streams free up")
    func admission() {
        var machine = machine()
        #expect(machine.admit(1, requestBytes: 100, unsentBytes: 0, maxConcurrentStreams: 2) == .send)
        #expect(machine.admit(3, requestBytes: 100, unsentBytes: 0, maxConcurrentStreams: 2) == .send)
        #expect(machine.admit(5, requestBytes: 100, unsentBytes: 0, maxConcurrentStreams: 2) == .wait)
        #expect(machine.admit(7, requestBytes: 50, unsentBytes: 0, maxConcurrentStreams: 2) == .wait)
        #expect(machine.waitingBytes == 150)
        #expect(machine.nextToSend(maxConcurrentStreams: 2) { _ in 100 } == nil)  // nothing free
        machine.callEnded(waitingBytes: 100)  // call 5 gave up while waiting
        machine.callEnded(waitingBytes: nil)  // call 1 ended
        let waitingSizes: [UInt32: Int] = [7: 50]
        #expect(machine.nextToSend(maxConcurrentStreams: 2) { waitingSizes[$0] } == 7)  // 5 is skipped
        #expect(machine.waitingBytes == 0)
        #expect(machine.activeStreams == 2)
    }

    @Test("too much waiting refuses new calls: unsent bytes past the bound, or waiting requests past it")
    func admissionBounds() {
        var machine = machine { $0.connection.maxQueuedBytes = 1000 }
        #expect(
            machine.admit(1, requestBytes: 10, unsentBytes: 1001, maxConcurrentStreams: 1)
                == .refuse(
                    RPCError(
                        .resourceExhausted,
                        "the server is not reading: 1001 bytes wait to be sent, over the limit of 1000; retry later"
                    )
                )
        )
        #expect(machine.admit(3, requestBytes: 10, unsentBytes: 0, maxConcurrentStreams: 1) == .send)
        #expect(machine.admit(5, requestBytes: 900, unsentBytes: 0, maxConcurrentStreams: 1) == .wait)
        #expect(
            machine.admit(7, requestBytes: 200, unsentBytes: 0, maxConcurrentStreams: 1)
                == .refuse(
                    RPCError(
                        .resourceExhausted,
                        "1 calls (900 bytes) already wait for one of the server's 1 streams, the limit of 1000 bytes; retry later or open another connection"
                    )
                )
        )
    }
}
