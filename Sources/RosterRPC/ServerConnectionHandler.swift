internal import Logging
internal import NIOCore
internal import RosterTLS
internal import RosterWire

/// The server side of one Roster connection (PROTOCOL.md §2–§13), translating between the
/// pipeline and ``ServerConnectionMachine``, which makes every decision about phases, clocks and
/// bounds. This handler reads frames (checked by ``FrameValidator``), keeps the open calls and
/// their running handlers, writes through a ``FrameWriter``, and withholds `read()` while the
/// channel is not writable, so a client that does not read stops being read.
///
/// Confined to its channel's event loop. Handlers run as tasks that prefer that loop as their
/// executor, so their results come back here without a thread hop.
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Told to every connection when the server begins a graceful shutdown.
    struct GracefulShutdown: Sendable {}

    let router: RPCRouter
    let limits: RPCServerLimits
    /// The connection's own limits (``RPCServerLimits/connection``).
    var configuration: RPCConnectionLimits { limits.connection }
    let decodingLimits: ProtoDecodingLimits
    let budget: ServerCallBudget
    let abuse: AbuseMonitor?
    /// Calls and connection ends counted, when the server has metrics.
    let metrics: RPCMetrics?
    /// Why the connection is closing, once that is known (the first reason wins); a close with
    /// no reason is the peer's.
    var end: ConnectionEnd?
    /// Set between `handlerAdded` and `handlerRemoved` only: holding it longer would keep the
    /// context (and through it this handler, its buffers and the channel) alive forever.
    var context: ChannelHandlerContext?
    var executor: EventLoopTaskExecutor?
    let writer = FrameWriter()
    var machine: ServerConnectionMachine?
    private let machineLimits: ServerConnectionMachine.Limits
    let validator = FrameValidator(role: .server)
    var peerSettings = PeerSettings()
    var streams: [UInt32: ServerStream] = [:]
    var highestStreamID: UInt32 = 0
    var tlsPeer: TLSPeer?
    /// The one timer of the machine's clocks, and the deadline it is armed for.
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    /// A `read()` withheld while the channel was not writable.
    private var readPending = false
    /// Unary handlers running now, and the calls waiting to run one (oldest first).
    var executingUnary = 0
    var waitingToExecute = CircularBuffer<UInt32>()
    /// Splits bytes into frames right here, rather than in a handler of its own, so a frame is
    /// never boxed into `NIOAny` on its way through the pipeline. Each frame's header goes to
    /// ``admits(_:)`` before any of its payload is buffered (weakly: the decoder is ours).
    lazy var frames = NIOSingleStepByteToMessageProcessor(
        FrameDecoder(
            limits: .init(maxFrameSize: configuration.maxFrameSize, maxHeaderSize: configuration.maxHeaderSize),
            expectsPreface: true
        ) { [weak self] header in
            try self?.admits(header) ?? true
        }
    )
    /// Whether the decoder is reading past a frame's payload (``FrameDecoder/Event/skipping(_:)``):
    /// that frame has started, and the frame clock runs for it as for one being buffered.
    var skippingFrame = false

    /// This connection's logger (peer and connection number in its metadata).
    let logger: Logger

    init(
        router: RPCRouter,
        limits: RPCServerLimits,
        budget: ServerCallBudget,
        abuse: AbuseMonitor?,
        metrics: RPCMetrics? = nil,
        logger: Logger = RPCServer.silentLogger
    ) {
        self.router = router
        self.logger = logger
        self.limits = limits
        self.budget = budget
        self.abuse = abuse
        self.metrics = metrics
        self.machineLimits = ServerConnectionMachine.Limits(limits)
        self.decodingLimits = ProtoDecodingLimits(maxSize: limits.connection.maxFrameSize)
        budget.liveHandlers.created()
    }

    deinit {
        budget.liveHandlers.destroyed()
    }

    var isClosed: Bool { (machine?.phase ?? .closed) == .closed }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        writer.attach(to: context)
        executor = EventLoopTaskExecutor(eventLoop: context.eventLoop)
        machine = ServerConnectionMachine(limits: machineLimits, now: context.eventLoop.now)
        writer.append(.settings, streamID: 0, message: configuration.settingsMessage)
        writer.flushSoon()
        armTimer()
        logger.debug("connection opened")
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopEverything(RPCError(.unavailable, "the connection closed"))
        budget.backgroundCalls.resume(connection: gateID)  // its calls were withdrawn as they stopped
        writer.detach()
        self.context = nil
        self.executor = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        logger.debug("connection closed", metadata: [RPCLogKey.stream.rawValue: "\(highestStreamID)"])
        metrics?.connectionEnded(end ?? .peerClosed)
        stopEverything(RPCError(.unavailable, "the connection closed"))
        context.fireChannelInactive()
    }

    /// Ends every call and timer; the connection is gone.
    private func stopEverything(_ error: RPCError) {
        machine?.closed()
        timer?.cancel()
        timer = nil
        for stream in streams.values {
            metrics?.callEnded(method: stream.context.method, code: error.code, duration: now - stream.openedAt)
            stream.stop(error)
            budget.release(headerBytes: stream.headerBytes)
        }
        streams.removeAll()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted {
            tlsPeer = completed.peer
        } else if event is GracefulShutdown {
            if end == nil { end = .shutdown }
            beginDraining(
                code: .unavailable,
                "server is shutting down; reconnect to another instance",
                reason: RPCError(.unavailable, "server shut down before the call finished; retry on another instance")
            )
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // TLS and socket errors: nothing more can be said to this peer.
        logger.debug("connection failed", metadata: [RPCLogKey.error.rawValue: "\(error)"])
        if end == nil { end = .transportError }
        close()
    }

    // MARK: - Backpressure

    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            context.read()
        } else {
            readPending = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        machine?.writabilityChanged(writable, unsentBytes: unsentBytes, now: context.eventLoop.now)
        writer.isChannelWritable = writable
        // Handing the writer's held frames to the channel may have filled it again: that nested
        // change has been handled (and passed on) already, and this one is stale.
        if writable && !context.channel.isWritable { return }
        armTimer()
        if !writable {
            // No response is built for a client that is not reading (see ``start(_:)``).
            budget.backgroundCalls.pause(connection: gateID)
        } else {
            budget.backgroundCalls.resume(connection: gateID)
            launchWaiting()
            for stream in streams.values { stream.resumeWindowWaiter() }
            if readPending {
                readPending = false
                context.read()
            }
        }
        context.fireChannelWritabilityChanged()
    }

    /// Bytes waiting to be sent: held by the writer, and in the channel's buffer.
    var unsentBytes: Int { writer.pendingBytes + writer.channelBufferedBytes }

    /// Closes the connection when a client that does not read has too much waiting for it.
    func checkQueued() {
        guard !writer.isChannelWritable, let machine else { return }
        if let action = machine.checkQueued(bytes: unsentBytes, unsentCalls: writer.heldCalls) { perform(action) }
    }

    // MARK: - Reading frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        writer.inReadBurst = true
        var completed = 0
        do {
            try frames.process(buffer: unwrapInboundIn(data)) { event in
                guard !isClosed else { return }
                switch event {
                case .frame(let frame):
                    completed += 1
                    do {
                        try handle(frame)
                    } catch {
                        connectionError(.internal, "\(error)", cause: .protocolViolation)
                    }
                case .skipping(let header):
                    skippingFrame = true
                    switch header.type {
                    case .message: refuseOversizedRequest(header)
                    case .headers, .trailers, .cancel: handleOversizedHeaders(header)
                    default: break  // a frame type this version does not know
                    }
                case .skipped:
                    completed += 1
                    skippingFrame = false
                }
            }
        } catch let violation as ProtocolViolation {
            connectionError(.internal, "\(violation)", cause: .protocolViolation)
        } catch let error as FrameDecodingError {
            switch error.reason {
            case .badPreface: connectionError(.internal, error.description, cause: .badPreface)
            case .frameTooLarge: connectionError(.resourceExhausted, error.description, cause: .frameTooLarge)
            }
        } catch {
            close()
        }
        machine?.readProcessed(
            completedFrames: completed,
            frameUnfinished: frames.unprocessedBytes > 0 || skippingFrame,
            now: context.eventLoop.now
        )
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        writer.inReadBurst = false
        writer.flushNow()
        checkQueued()
        armTimer()
        context.fireChannelReadComplete()
    }

    // MARK: - Clocks

    var now: NIODeadline { context?.eventLoop.now ?? .now() }

    /// Arms the one timer for the machine's next deadline, unless it already fires earlier
    /// (firing early is harmless: the machine finds nothing due and the timer is armed again).
    func armTimer() {
        guard let context, let next = machine?.nextDeadline else { return }
        if let timerDeadline, timer != nil, timerDeadline <= next { return }
        timer?.cancel()
        timerDeadline = next
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: next) { [weak self] in
            self?.timerFired()
        }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = nil
        guard var machine else { return }
        machine.unsentBytes(unsentBytes, now: now)
        let actions = machine.timerFired(now: now)
        self.machine = machine
        for action in actions { perform(action) }
        armTimer()
    }

    /// Carries out what the machine decided.
    func perform(_ action: ServerConnectionMachine.Action) {
        switch action {
        case .close(let code, let message, let cause):
            connectionError(code, message, cause: cause)
        case .drain(let code, let message):
            sendGoAway(code, message)
            writer.flushNow(evenIfUnwritable: true)
        case .endCalls(let ids, let status, let cause):
            if let cause { noteAbuse(cause, "\(ids.count) calls: \(status.message)") }
            for id in ids { finish(id, status: status) }
        case .endAllCalls(let status):
            for id in streams.keys.sorted() { finish(id, status: status) }
        }
    }

    // MARK: - Shutdown

    func beginDraining(code: RPCError.Code, _ message: String, reason: RPCError) {
        logger.debug(
            "draining the connection with GOAWAY",
            metadata: [RPCLogKey.code.rawValue: "\(code)", RPCLogKey.reason.rawValue: "\(message)"]
        )
        guard var machine else { return }
        let phase = machine.phase
        guard phase == .open || phase == .awaitingSettings else { return }
        let closeNow = machine.beginDraining(now: now, reason: reason)
        self.machine = machine
        sendGoAway(code, message)
        writer.flushNow(evenIfUnwritable: true)
        if closeNow { return close() }
        armTimer()
    }

    func sendGoAway(_ code: RPCError.Code, _ message: String) {
        writer.append(
            .goAway,
            streamID: 0,
            message: RPCMessages.GoAway(lastStreamID: highestStreamID, code: code.rawValue, message: message)
        )
    }

    /// Ends the connection: GOAWAY with the reason, then close. `cause` marks abuse.
    func connectionError(_ code: RPCError.Code, _ message: String, cause: AbuseCause? = nil) {
        guard !isClosed else { return }
        logger.debug(
            "closing the connection with GOAWAY",
            metadata: [RPCLogKey.code.rawValue: "\(code)", RPCLogKey.reason.rawValue: "\(message)"]
        )
        if let cause { noteAbuse(cause, message) }
        if end == nil { end = cause == nil ? .serverClosed : .abuse }
        sendGoAway(code, message)
        close()
    }

    func close() {
        guard !isClosed else { return }
        if end == nil { end = .serverClosed }
        writer.flushNow(evenIfUnwritable: true)
        stopEverything(RPCError(.unavailable, "the connection closed"))
        context?.close(promise: nil)
    }

    func noteAbuse(_ cause: AbuseCause, _ detail: String) {
        abuse?.record(cause, peer: context?.channel.remoteAddress, detail: detail, now: now)
    }
}
