internal import NIOCore

/// The decisions of one server connection: its phase, every clock it keeps, and its bounds on
/// what a client may make it hold. A value type fed events with the time they happened (the
/// event loop's `now`, so `EmbeddedEventLoop` drives it in tests) and answering with actions;
/// ``ServerConnectionHandler`` only translates between it and the pipeline.
///
/// Clocks (docs/rpc.md): the handshake (TLS, preface, SETTINGS), the idle timeout (no calls
/// open), the request timeout (HEADERS without its MESSAGE), the frame timeout (a frame started
/// but never finished), the send stall timeout (a client that stopped reading), the optional
/// maximum connection age, and the drain grace period. One
/// timer serves them all: the handler arms it for ``nextDeadline`` and calls ``timerFired(now:)``.
struct ServerConnectionMachine {
    /// The limits this machine enforces, from ``RPCServerLimits`` (as the event loop's time type).
    struct Limits: Sendable {
        var handshakeTimeout: TimeAmount
        var idleTimeout: TimeAmount
        var requestTimeout: TimeAmount
        var frameTimeout: TimeAmount
        var sendStallTimeout: TimeAmount
        var maxConnectionAge: TimeAmount?
        var gracePeriod: TimeAmount
        var maxQueuedBytes: Int
        var maxUnsentCalls: Int
        var maxPingsPerSecond: Int
        var maxHalfOpenHeaderBytes: Int

        init(_ configuration: RPCServerLimits) {
            handshakeTimeout = TimeAmount(configuration.handshakeTimeout)
            idleTimeout = TimeAmount(configuration.idleTimeout)
            requestTimeout = TimeAmount(configuration.requestTimeout)
            frameTimeout = TimeAmount(configuration.frameTimeout)
            sendStallTimeout = TimeAmount(configuration.sendStallTimeout)
            maxConnectionAge = configuration.maxConnectionAge.map(TimeAmount.init)
            gracePeriod = TimeAmount(configuration.gracePeriod)
            maxQueuedBytes = configuration.connection.maxQueuedBytes
            maxUnsentCalls = configuration.maxUnsentCalls
            maxPingsPerSecond = configuration.maxPingsPerSecond
            maxHalfOpenHeaderBytes = configuration.maxHalfOpenHeaderBytes
        }
    }

    enum Phase: Equatable {
        /// Waiting for the preface and the client's first SETTINGS.
        case awaitingSettings
        case open
        /// GOAWAY sent: open calls may finish, new ones are refused.
        case draining
        case closed
    }

    /// What the handler must do.
    enum Action: Equatable {
        /// Send GOAWAY with this code and message, then close. `cause` is set when the close
        /// answers abuse, for the warning line and its counter.
        case close(RPCError.Code, String, cause: AbuseCause?)
        /// Send GOAWAY (last stream id, code, message), refuse new calls, let open ones finish.
        case drain(RPCError.Code, String)
        /// End these calls with TRAILERS carrying the status; `cause` is set when they end as abuse.
        case endCalls([UInt32], RPCError, cause: AbuseCause?)
        /// End every open call with TRAILERS carrying the status (the drain's grace period ended).
        case endAllCalls(RPCError)
    }

    private(set) var phase = Phase.awaitingSettings
    let limits: Limits
    private let openedAt: NIODeadline
    /// Calls open (HEADERS accepted, no TRAILERS or CANCEL yet).
    private(set) var openCalls = 0
    /// Since when no call has been open, while none is.
    private var idleSince: NIODeadline?
    /// Calls whose request MESSAGE has not arrived, with the time by which it must and the
    /// metadata bytes they hold.
    private var awaitingRequest: [UInt32: (deadline: NIODeadline, headerBytes: Int)] = [:]
    /// The metadata bytes of ``awaitingRequest``.
    private(set) var awaitingHeaderBytes = 0
    /// When the frame the decoder holds part of began to arrive.
    private var partialFrameSince: NIODeadline?
    /// When open calls are ended after GOAWAY, while draining.
    private var drainDeadline: NIODeadline?
    private var drainReason: RPCError?
    /// While the channel's outbound buffer is over its high-water mark: since when no byte of
    /// what waits has been taken by the client.
    private var unwritableSince: NIODeadline?
    /// False while the channel's outbound buffer is over its high-water mark.
    var isWritable: Bool { unwritableSince == nil }
    /// The bytes waiting to be sent at the last look while the channel is not writable.
    private var unsentAtLastLook: Int?
    private var pingWindowStart: NIODeadline
    private var pingsInWindow = 0

    init(limits: Limits, now: NIODeadline) {
        self.limits = limits
        self.openedAt = now
        self.pingWindowStart = now
    }

    // MARK: - Events

    /// The client's first SETTINGS arrived: the connection is open.
    mutating func settingsReceived(now: NIODeadline) {
        guard phase == .awaitingSettings else { return }
        phase = .open
        idleSince = now
    }

    /// Whether a call holding `headerBytes` of metadata may wait for its request, or why not.
    func refusalToAwait(headerBytes: Int) -> RPCError? {
        guard awaitingHeaderBytes + headerBytes > limits.maxHalfOpenHeaderBytes else { return nil }
        return RPCError(
            .resourceExhausted,
            "this connection holds \(awaitingHeaderBytes) bytes of metadata of calls still waiting for their request; "
                + "the limit is \(limits.maxHalfOpenHeaderBytes): send each call's request right after its HEADERS"
        )
    }

    /// A call was accepted. `hasRequest` is false when its MESSAGE has yet to come.
    mutating func callOpened(_ id: UInt32, hasRequest: Bool, headerBytes: Int = 0, now: NIODeadline) {
        openCalls += 1
        idleSince = nil
        if !hasRequest {
            awaitingRequest[id] = (now + limits.requestTimeout, headerBytes)
            awaitingHeaderBytes += headerBytes
        }
    }

    /// The request MESSAGE of call `id` arrived.
    mutating func requestReceived(_ id: UInt32) {
        stopAwaiting(id)
    }

    private mutating func stopAwaiting(_ id: UInt32) {
        if let waiting = awaitingRequest.removeValue(forKey: id) { awaitingHeaderBytes -= waiting.headerBytes }
    }

    /// Call `id` ended (TRAILERS sent or CANCEL received). Returns `true` when a draining
    /// connection has no call left and should close.
    mutating func callClosed(_ id: UInt32, now: NIODeadline) -> Bool {
        stopAwaiting(id)
        openCalls = max(openCalls - 1, 0)
        guard openCalls == 0 else { return false }
        idleSince = now
        return phase == .draining
    }

    /// After each read: how many frames completed, and whether a frame has started and not
    /// finished (bytes of it held, or its payload being read past). A frame must complete within
    /// the frame timeout of its first byte.
    mutating func readProcessed(completedFrames: Int, frameUnfinished: Bool, now: NIODeadline) {
        if !frameUnfinished {
            partialFrameSince = nil
        } else if completedFrames > 0 || partialFrameSince == nil {
            partialFrameSince = now
        }
    }

    /// A PING without ACK arrived; nil when it may be answered, else the connection closes.
    mutating func pingReceived(now: NIODeadline) -> Action? {
        if now - pingWindowStart > .seconds(1) {
            pingWindowStart = now
            pingsInWindow = 0
        }
        pingsInWindow += 1
        guard pingsInWindow <= limits.maxPingsPerSecond else {
            return .close(
                .resourceExhausted,
                "too many PINGs: more than \(limits.maxPingsPerSecond) in one second",
                cause: .pingFlood
            )
        }
        return nil
    }

    /// The server shuts down, or the client sent GOAWAY: stop taking calls, let open ones
    /// finish within the grace period. Returns whether the connection can close at once.
    mutating func beginDraining(now: NIODeadline, reason: RPCError) -> Bool {
        guard phase == .open || phase == .awaitingSettings else { return false }
        phase = .draining
        drainDeadline = now + limits.gracePeriod
        drainReason = reason
        return openCalls == 0
    }

    /// The channel's writability changed. While it is not writable the handler withholds
    /// `read()` and starts no call's handler, so a client that does not read cannot make us take
    /// more calls or build more responses; if it stays so for the send stall timeout, the
    /// connection closes. `unsentBytes` wait to be sent now.
    mutating func writabilityChanged(_ writable: Bool, unsentBytes: Int, now: NIODeadline) {
        guard !writable else {
            unwritableSince = nil
            unsentAtLastLook = nil
            return
        }
        if unwritableSince == nil { unwritableSince = now }
        self.unsentBytes(unsentBytes, now: now)
    }

    /// While the channel is not writable, `bytes` wait to be sent (looked at when it stops being
    /// writable and when the timer fires). Fewer than at the last look means the client is
    /// reading, however slowly: the send stall clock starts again.
    mutating func unsentBytes(_ bytes: Int, now: NIODeadline) {
        guard !isWritable else { return }
        if let last = unsentAtLastLook, bytes < last { unwritableSince = now }
        unsentAtLastLook = bytes
    }

    /// Checks what waits to be sent to a client that is not reading: `queuedBytes` (frames held
    /// plus the channel's unwritten bytes) and `unsentCalls` (calls answered but not yet sent).
    func checkQueued(bytes queuedBytes: Int, unsentCalls: Int) -> Action? {
        if queuedBytes > limits.maxQueuedBytes {
            return .close(
                .resourceExhausted,
                "the client is not reading its responses: \(queuedBytes) bytes wait to be sent, over the limit of \(limits.maxQueuedBytes)",
                cause: .slowReader
            )
        }
        if unsentCalls > limits.maxUnsentCalls {
            return .close(
                .resourceExhausted,
                "the client is not reading its responses: \(unsentCalls) answered calls wait to be sent, over the limit of \(limits.maxUnsentCalls)",
                cause: .slowReader
            )
        }
        return nil
    }

    /// The connection closed.
    mutating func closed() {
        phase = .closed
        awaitingRequest.removeAll()
        awaitingHeaderBytes = 0
    }

    // MARK: - The one timer

    /// The earliest moment a clock runs out, if any runs.
    var nextDeadline: NIODeadline? {
        var next: NIODeadline?
        func consider(_ deadline: NIODeadline?) {
            guard let deadline else { return }
            if next == nil || deadline < next! { next = deadline }
        }
        switch phase {
        case .awaitingSettings:
            consider(openedAt + limits.handshakeTimeout)
        case .open:
            if openCalls == 0, let idleSince { consider(idleSince + limits.idleTimeout) }
            if let age = limits.maxConnectionAge { consider(openedAt + age) }
        case .draining:
            consider(drainDeadline)
        case .closed:
            return nil
        }
        for waiting in awaitingRequest.values { consider(waiting.deadline) }
        if isWritable, let partialFrameSince { consider(partialFrameSince + limits.frameTimeout) }
        if let unwritableSince { consider(unwritableSince + limits.sendStallTimeout) }
        return next
    }

    /// The timer fired at `now`: what ran out.
    mutating func timerFired(now: NIODeadline) -> [Action] {
        switch phase {
        case .closed:
            return []
        case .awaitingSettings:
            if now >= openedAt + limits.handshakeTimeout {
                return [
                    .close(
                        .deadlineExceeded,
                        "no Roster preface and SETTINGS within \(Self.seconds(limits.handshakeTimeout)) s",
                        cause: .handshakeTimeout
                    )
                ]
            }
        case .open:
            if openCalls == 0, let idleSince, now >= idleSince + limits.idleTimeout {
                return [.close(.ok, "idle timeout: no calls for \(Self.seconds(limits.idleTimeout)) s", cause: nil)]
            }
            if let age = limits.maxConnectionAge, now >= openedAt + age {
                let message =
                    "the connection reached its maximum age of \(Self.seconds(age)) s; reconnect for new calls"
                let closeNow = beginDraining(
                    now: now,
                    reason: RPCError(
                        .unavailable,
                        "the connection reached its maximum age and its calls outlived the grace period; retry on a new connection"
                    )
                )
                return closeNow ? [.close(.ok, message, cause: nil)] : [.drain(.ok, message)]
            }
        case .draining:
            if let drainDeadline, now >= drainDeadline, let drainReason {
                self.drainDeadline = nil
                return [.endAllCalls(drainReason)]
            }
        }
        var actions: [Action] = []
        if let unwritableSince, now >= unwritableSince + limits.sendStallTimeout {
            return [
                .close(
                    .resourceExhausted,
                    "the client is not reading its responses: nothing could be sent for \(Self.seconds(now - unwritableSince)) s; the limit is \(Self.seconds(limits.sendStallTimeout)) s",
                    cause: .slowReader
                )
            ]
        }
        if isWritable, let partialFrameSince, now >= partialFrameSince + limits.frameTimeout {
            return [
                .close(
                    .deadlineExceeded,
                    "a frame started \(Self.seconds(now - partialFrameSince)) s ago is still incomplete; the limit is \(Self.seconds(limits.frameTimeout)) s",
                    cause: .frameTimeout
                )
            ]
        }
        let expired = awaitingRequest.filter { $0.value.deadline <= now }.map(\.key).sorted()
        if !expired.isEmpty {
            for id in expired { stopAwaiting(id) }
            actions.append(
                .endCalls(
                    expired,
                    RPCError(
                        .deadlineExceeded,
                        "no request message within \(Self.seconds(limits.requestTimeout)) s of the call's HEADERS"
                    ),
                    cause: .requestTimeout
                )
            )
        }
        return actions
    }

    static func seconds(_ amount: TimeAmount) -> Int64 {
        amount.nanoseconds / 1_000_000_000
    }
}
