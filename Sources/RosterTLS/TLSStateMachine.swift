/// The decisions of a ``TLSHandler``, without OpenSSL or a channel, so they can be tested alone.
///
/// The handler reports what happened (bytes arrived, the handshake finished, a write, a flush, a
/// close, the connection went away) and carries out the action returned.
struct TLSStateMachine {
    enum State: Equatable {
        case idle
        case handshaking
        case active
        case closed
    }

    private(set) var state = State.idle
    /// Whether the peer's close_notify has arrived.
    private(set) var receivedCloseNotify = false

    /// The connection is up. Clients speak first.
    enum StartAction: Equatable {
        case none
        case beginHandshake
    }

    mutating func start(isClient: Bool) -> StartAction {
        guard state == .idle else { return .none }
        state = .handshaking
        return isClient ? .beginHandshake : .none
    }

    /// Ciphertext arrived (and was handed to OpenSSL).
    enum ReceiveAction: Equatable {
        case continueHandshake
        case readPlaintext
        case ignore
    }

    func bytesReceived() -> ReceiveAction {
        switch state {
        case .handshaking: .continueHandshake
        case .active: .readPlaintext
        case .idle, .closed: .ignore
        }
    }

    /// OpenSSL finished the handshake; `alpn` is the protocol it negotiated.
    enum HandshakeAction: Equatable {
        /// Tell the pipeline, then send what was written meanwhile and read any early data.
        case completed
        case fail(TLSError)
    }

    mutating func handshakeCompleted(alpn: String?) -> HandshakeAction {
        guard alpn == "roster/1" else {
            state = .closed
            return .fail(
                TLSError(
                    .alpnMismatch,
                    "the server did not select ALPN \"roster/1\" (it chose \(alpn ?? "none")); is this a Roster server?"
                )
            )
        }
        state = .active
        return .completed
    }

    /// An application write: held until the next flush, refused once closed.
    enum WriteAction: Equatable {
        case hold
        case refuse(TLSError)
    }

    func write() -> WriteAction {
        state == .closed ? .refuse(TLSError(.protocolError, "write on a closed TLS connection")) : .hold
    }

    /// A flush: encrypt what is held once the handshake is done; until then keep holding it.
    enum FlushAction: Equatable {
        case encrypt
        case keepHolding
    }

    func flush() -> FlushAction {
        state == .active ? .encrypt : .keepHolding
    }

    /// The peer's close_notify arrived: answer it and close.
    mutating func closeNotifyReceived() {
        receivedCloseNotify = true
    }

    /// The application closes the connection.
    enum CloseAction: Equatable {
        /// Flush, send close_notify, then close.
        case sendCloseNotifyAndClose
        case close
    }

    mutating func close() -> CloseAction {
        defer { state = .closed }
        return state == .active ? .sendCloseNotifyAndClose : .close
    }

    /// A failure ended the connection.
    mutating func failed() {
        state = .closed
    }

    /// The TCP connection went away: what to tell the pipeline.
    enum InactiveAction: Equatable {
        case reportError(TLSError)
        case none
    }

    mutating func channelInactive() -> InactiveAction {
        defer { state = .closed }
        switch state {
        case .active where !receivedCloseNotify:
            return .reportError(TLSError(.unexpectedEOF, "the peer closed the connection without TLS close_notify"))
        case .handshaking:
            return .reportError(TLSError(.handshakeFailed, "the peer closed the connection during the TLS handshake"))
        default:
            return .none
        }
    }
}
