import Testing

@testable import RosterTLS

@Suite("TLS state machine")
struct TLSStateMachineTests {
    @Test("a client starts the handshake; a server waits for the ClientHello")
    func start() {
        var client = TLSStateMachine()
        #expect(client.start(isClient: true) == .beginHandshake)
        #expect(client.start(isClient: true) == .none)
        var server = TLSStateMachine()
        #expect(server.start(isClient: false) == .none)
        #expect(server.bytesReceived() == .continueHandshake)
    }

    @Test("writes are held during the handshake and encrypted only once it completes")
    func writesWaitForHandshake() {
        var machine = TLSStateMachine()
        _ = machine.start(isClient: true)
        #expect(machine.write() == .hold)
        #expect(machine.flush() == .keepHolding)
        #expect(machine.handshakeCompleted(alpn: "roster/1") == .completed)
        #expect(machine.flush() == .encrypt)
        #expect(machine.bytesReceived() == .readPlaintext)
    }

    @Test("a handshake that did not negotiate roster/1 fails with a clear ALPN error")
    func alpnMismatch() {
        var machine = TLSStateMachine()
        _ = machine.start(isClient: true)
        guard case .fail(let error) = machine.handshakeCompleted(alpn: "h2") else {
            Issue.record("accepted h2")
            return
        }
        #expect(error.code == .alpnMismatch)
        #expect(error.message.contains("it chose h2"))
        #expect(machine.state == .closed)
        #expect(machine.write() == .refuse(TLSError(.protocolError, "write on a closed TLS connection")))
    }

    @Test("closing an active connection sends close_notify; closing during the handshake does not")
    func close() {
        var active = TLSStateMachine()
        _ = active.start(isClient: false)
        _ = active.handshakeCompleted(alpn: "roster/1")
        #expect(active.close() == .sendCloseNotifyAndClose)
        #expect(active.bytesReceived() == .ignore)
        var handshaking = TLSStateMachine()
        _ = handshaking.start(isClient: false)
        #expect(handshaking.close() == .close)
    }

    @Test("an EOF without close_notify is reported as unexpected; after close_notify it is not")
    func eof() {
        var abrupt = TLSStateMachine()
        _ = abrupt.start(isClient: true)
        _ = abrupt.handshakeCompleted(alpn: "roster/1")
        #expect(
            abrupt.channelInactive()
                == .reportError(TLSError(.unexpectedEOF, "the peer closed the connection without TLS close_notify"))
        )

        var clean = TLSStateMachine()
        _ = clean.start(isClient: true)
        _ = clean.handshakeCompleted(alpn: "roster/1")
        clean.closeNotifyReceived()
        #expect(clean.channelInactive() == .none)

        var midHandshake = TLSStateMachine()
        _ = midHandshake.start(isClient: false)
        guard case .reportError(let error) = midHandshake.channelInactive() else {
            Issue.record("no error for an EOF during the handshake")
            return
        }
        #expect(error.code == .handshakeFailed)
    }
}
