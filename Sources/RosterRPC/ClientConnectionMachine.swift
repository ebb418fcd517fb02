internal import NIOCore

/// The decisions of one client connection: keepalive (PROTOCOL.md §11) and which calls may use
/// one of the server's streams now, which wait, and which are refused because too much already
/// waits (§5, §10). A value type fed events with the event loop's time;
/// ``ClientConnectionHandler`` only translates.
struct ClientConnectionMachine {
    struct Limits: Sendable {
        var keepaliveInterval: TimeAmount?
        var keepaliveTimeout: TimeAmount
        var maxQueuedBytes: Int

        init(_ configuration: RPCClientConnection.Configuration) {
            keepaliveInterval = configuration.keepaliveInterval.map(TimeAmount.init)
            keepaliveTimeout = TimeAmount(configuration.keepaliveTimeout)
            maxQueuedBytes = configuration.connection.maxQueuedBytes
        }
    }

    let limits: Limits
    private var silenceSince: NIODeadline
    private(set) var pingOutstanding = false
    /// Calls on the server's streams (sent, not yet ended).
    private(set) var activeStreams = 0
    /// Calls waiting for a stream, oldest first; ids of calls ended meanwhile are skipped.
    private var waiting = CircularBuffer<UInt32>()
    /// Bytes of the waiting calls' encoded requests.
    private(set) var waitingBytes = 0

    init(limits: Limits, now: NIODeadline) {
        self.limits = limits
        self.silenceSince = now
    }

    // MARK: - Keepalive

    enum KeepaliveAction: Equatable {
        /// Nothing due; check again after the delay.
        case wait(TimeAmount)
        /// Send a PING, then check again after the delay.
        case ping(then: TimeAmount)
        /// The server did not answer: close, failing calls with this error.
        case close(RPCError)
    }

    /// Any frame from the server is a sign of life.
    mutating func frameReceived(now: NIODeadline) {
        silenceSince = now
        pingOutstanding = false
    }

    /// The delay before the first keepalive check; nil when keepalive is off.
    var firstKeepaliveCheck: TimeAmount? { limits.keepaliveInterval }

    /// The keepalive timer fired: PING after an interval of silence, close when a PING got no
    /// answer within the timeout. Nil when keepalive is off.
    mutating func keepaliveTimerFired(now: NIODeadline) -> KeepaliveAction? {
        guard let interval = limits.keepaliveInterval else { return nil }
        let silence = now - silenceSince
        if pingOutstanding {
            guard silence < limits.keepaliveTimeout else {
                let seconds = limits.keepaliveTimeout.nanoseconds / 1_000_000_000
                return .close(
                    RPCError(
                        .unavailable,
                        "the server did not answer a keepalive PING within \(seconds) s; the connection is lost"
                    )
                )
            }
            return .wait(limits.keepaliveTimeout - silence)
        }
        guard silence >= interval else { return .wait(interval - silence) }
        pingOutstanding = true
        silenceSince = now  // the answer is due within the timeout from now
        return .ping(then: limits.keepaliveTimeout)
    }

    // MARK: - Streams

    enum Admission: Equatable {
        /// Send the call now.
        case send
        /// Keep its encoded request until a stream is free.
        case wait
        /// Too much already waits: fail the call with this error.
        case refuse(RPCError)
    }

    /// A new call of `requestBytes` (HEADERS and MESSAGE, encoded) wants a stream.
    /// `unsentBytes` is what already waits to be written (a server that does not read).
    mutating func admit(_ id: UInt32, requestBytes: Int, unsentBytes: Int, maxConcurrentStreams: Int) -> Admission {
        guard unsentBytes <= limits.maxQueuedBytes else {
            return .refuse(
                RPCError(
                    .resourceExhausted,
                    "the server is not reading: \(unsentBytes) bytes wait to be sent, over the limit of \(limits.maxQueuedBytes); retry later"
                )
            )
        }
        if activeStreams < maxConcurrentStreams, waiting.isEmpty {
            activeStreams += 1
            return .send
        }
        guard waitingBytes + requestBytes <= limits.maxQueuedBytes else {
            return .refuse(
                RPCError(
                    .resourceExhausted,
                    "\(waiting.count) calls (\(waitingBytes) bytes) already wait for one of the server's \(maxConcurrentStreams) streams, the limit of \(limits.maxQueuedBytes) bytes; retry later or open another connection"
                )
            )
        }
        waitingBytes += requestBytes
        waiting.append(id)
        return .wait
    }

    /// A call ended. `waitingBytes` is its request's size if it never got a stream, else nil.
    mutating func callEnded(waitingBytes bytes: Int?) {
        if let bytes {
            waitingBytes -= bytes
        } else {
            activeStreams -= 1
        }
    }

    /// The next waiting call to send, if a stream is free. `isWaiting` says whether an id
    /// still waits (it may have ended meanwhile); `bytes` gives its request's size.
    mutating func nextToSend(maxConcurrentStreams: Int, isWaiting: (UInt32) -> Int?) -> UInt32? {
        while activeStreams < maxConcurrentStreams, let id = waiting.popFirst() {
            guard let bytes = isWaiting(id) else { continue }
            waitingBytes -= bytes
            activeStreams += 1
            return id
        }
        return nil
    }

    /// The connection ended: nothing is active or waiting.
    mutating func closed() {
        activeStreams = 0
        waiting.removeAll()
        waitingBytes = 0
    }
}
