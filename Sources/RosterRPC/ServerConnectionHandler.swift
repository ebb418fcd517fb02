internal import NIOCore
internal import RosterTLS
internal import RosterWire

/// The server side of one Roster connection (PROTOCOL.md §2–§13): SETTINGS, streams, dispatch to
/// handlers, flow control, deadlines, cancellation, PING, GOAWAY and every limit.
///
/// Confined to its channel's event loop. Handlers run as tasks that prefer that loop as their
/// executor, so their results come back here without a thread hop.
final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Told to every connection when the server begins a graceful shutdown.
    struct GracefulShutdown: Sendable {}

    enum Phase {
        case awaitingSettings
        case open
        case draining
        case closed
    }

    let router: RPCRouter
    let configuration: RPCConfiguration
    let decodingLimits: ProtoDecodingLimits
    var context: ChannelHandlerContext!
    var executor: EventLoopTaskExecutor!
    let writer = FrameWriter()
    var phase = Phase.awaitingSettings
    var peerSettings = PeerSettings()
    var streams: [UInt32: ServerStream] = [:]
    var highestStreamID: UInt32 = 0
    var tlsPeer: TLSPeer?
    var handshakeTimer: Scheduled<Void>?
    var idleTimer: Scheduled<Void>?
    /// When the last call ended, while no call is open.
    var idleSince: NIODeadline? = .now()
    var drainTimer: Scheduled<Void>?
    let gracePeriod: TimeAmount
    /// Splits bytes into frames right here, rather than in a handler of its own, so a frame is
    /// never boxed into `NIOAny` on its way through the pipeline.
    var frames: NIOSingleStepByteToMessageProcessor<FrameDecoder>
    /// PINGs received in the current one-second window, to refuse a flood (PROTOCOL.md §11).
    var pingWindowStart = NIODeadline.uptimeNanoseconds(0)
    var pingsInWindow = 0

    init(router: RPCRouter, configuration: RPCConfiguration, gracePeriod: TimeAmount) {
        self.router = router
        self.configuration = configuration
        self.gracePeriod = gracePeriod
        self.decodingLimits = ProtoDecodingLimits(maxSize: configuration.maxFrameSize)
        self.frames = NIOSingleStepByteToMessageProcessor(
            FrameDecoder(limits: .init(maxFrameSize: configuration.maxFrameSize, maxHeaderSize: configuration.maxHeaderSize), expectsPreface: true)
        )
    }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        writer.attach(to: context)
        self.executor = EventLoopTaskExecutor(eventLoop: context.eventLoop)
        writer.append(.settings, streamID: 0, message: configuration.settingsMessage)
        writer.flushSoon()
        handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: configuration.handshakeTimeout) { [weak self] in
            guard let self, self.phase == .awaitingSettings else { return }
            let seconds = self.configuration.handshakeTimeout.nanoseconds / 1_000_000_000
            self.connectionError(.deadlineExceeded, "no Roster preface and SETTINGS within \(seconds) s")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        phase = .closed
        handshakeTimer?.cancel()
        idleTimer?.cancel()
        drainTimer?.cancel()
        let error = RPCError(.unavailable, "the connection closed")
        for stream in streams.values { stream.stop(error) }
        streams.removeAll()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted {
            tlsPeer = completed.peer
        } else if event is GracefulShutdown {
            beginDraining()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // TLS and socket errors: nothing more can be said to this peer.
        close()
    }

    // MARK: - Reading frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        writer.inReadBurst = true
        do {
            try frames.process(buffer: unwrapInboundIn(data)) { event in
                guard phase != .closed else { return }
                switch event {
                case .frame(let frame):
                    do {
                        try handle(frame)
                    } catch {
                        connectionError(.internal, "\(error)")
                    }
                case .skipped(let header):
                    handleOversizedHeaders(header)
                }
            }
        } catch let error as FrameDecodingError {
            switch error.reason {
            case .badPreface: connectionError(.internal, error.description)
            case .frameTooLarge: connectionError(.resourceExhausted, error.description)
            }
        } catch {
            close()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        writer.inReadBurst = false
        writer.flushNow()
        context.fireChannelReadComplete()
    }

    func handle(_ frame: Frame) throws(ProtocolViolation) {
        if phase == .awaitingSettings, frame.type != .settings || frame.flags.contains(.ack) {
            throw ProtocolViolation("expected SETTINGS as the first frame, got \(frame.type)")
        }
        switch frame.type {
        case .settings: try handleSettings(frame)
        case .headers: try handleHeaders(frame)
        case .message: try handleMessage(frame)
        case .cancel: try handleCancel(frame)
        case .windowUpdate: try handleWindowUpdate(frame)
        case .ping: try handlePing(frame)
        case .goAway:
            do {
                _ = try RPCMessages.GoAway(decoding: frame.payload)
            } catch {
                throw ProtocolViolation("GOAWAY payload is not a valid roster.rpc.v1.GoAway: \(error)")
            }
            beginDraining()
        case .trailers: throw ProtocolViolation("TRAILERS sent by a client; only servers send TRAILERS")
        default: break  // unknown frame types are ignored (PROTOCOL.md §4)
        }
    }

    func handleSettings(_ frame: Frame) throws(ProtocolViolation) {
        guard frame.streamID == 0 else { throw ProtocolViolation("SETTINGS on stream \(frame.streamID); it belongs on stream 0") }
        if frame.flags.contains(.ack) { return }
        let settings: RPCMessages.Settings
        do {
            settings = try RPCMessages.Settings(decoding: frame.payload)
        } catch {
            throw ProtocolViolation("SETTINGS payload is not a valid roster.rpc.v1.Settings: \(error)")
        }
        try peerSettings.apply(settings)
        writer.append(.settings, flags: .ack, streamID: 0, bytes: EmptyCollection())
        if phase == .awaitingSettings {
            phase = .open
            handshakeTimer?.cancel()
            armIdleTimer()
        }
    }

    func handleHeaders(_ frame: Frame) throws(ProtocolViolation) {
        let id = frame.streamID
        guard id % 2 == 1 else { throw ProtocolViolation("HEADERS on stream \(id); clients open odd stream ids") }
        guard id > highestStreamID else {
            throw ProtocolViolation("HEADERS on stream \(id), but stream \(highestStreamID) was already opened; stream ids must increase")
        }
        highestStreamID = id
        guard phase == .open else {
            return refuse(id, .unavailable, "server is shutting down; retry on a new connection")
        }
        guard streams.count < configuration.maxConcurrentStreams else {
            let limit = configuration.maxConcurrentStreams
            return refuse(id, .resourceExhausted, "this connection already has \(limit) calls in flight; the limit is \(limit): wait for calls to finish or open another connection")
        }
        let headers: RPCMessages.CallHeaders
        do {
            headers = try RPCMessages.CallHeaders(decoding: frame.payload)
        } catch {
            return refuse(id, .internal, "call headers are not a valid roster.rpc.v1.CallHeaders: \(error)")
        }
        if let badKey = headers.metadata.keys.first(where: { !Self.isValidMetadataKey($0) }) {
            return refuse(id, .invalidArgument, "metadata key \"\(badKey)\" is not allowed: use 1–128 lower-case ASCII letters, digits, '-', '_' or '.'")
        }
        guard let method = router.methods[headers.method] else {
            let served = router.paths.joined(separator: ", ")
            return refuse(id, .unimplemented, "unknown method \(headers.method); this server serves \(served)")
        }
        guard !frame.flags.contains(.endStream) else {
            return refuse(id, .internal, "\(headers.method) expects one request message, got none")
        }
        let deadline = headers.timeoutMicros > 0
            ? NIODeadline.now() + .microseconds(Int64(clamping: headers.timeoutMicros)) : nil
        let callContext = RPCServerContext(
            method: headers.method,
            metadata: headers.metadata,
            deadline: deadline,
            remoteAddress: context.channel.remoteAddress,
            tlsPeer: tlsPeer
        )
        let stream = ServerStream(id: id, method: method, context: callContext, sendWindow: peerSettings.initialWindowSize)
        if let deadline {
            stream.deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
                let millis = headers.timeoutMicros / 1000
                self?.finish(id, status: RPCError(.deadlineExceeded, "deadline of \(millis) ms exceeded"))
            }
        }
        streams[id] = stream
        idleSince = nil
    }

    func handleMessage(_ frame: Frame) throws(ProtocolViolation) {
        guard frame.streamID != 0 else { throw ProtocolViolation("MESSAGE on stream 0; it belongs on a call's stream") }
        guard let stream = streams[frame.streamID] else {
            guard frame.streamID <= highestStreamID else {
                throw ProtocolViolation("MESSAGE on stream \(frame.streamID), which was never opened")
            }
            return  // a stream that already closed: the frame was in flight
        }
        guard stream.request == nil, stream.task == nil, frame.flags.contains(.endStream) else {
            let got = stream.request == nil && stream.task == nil ? "more after this one (END_STREAM not set)" : "a second"
            return finish(stream.id, status: RPCError(.internal, "\(stream.context.method) expects one request message, got \(got)"))
        }
        stream.request = frame.payload
        start(stream)
    }

    func handleCancel(_ frame: Frame) throws(ProtocolViolation) {
        guard frame.streamID != 0 else { throw ProtocolViolation("CANCEL on stream 0; it belongs on a call's stream") }
        if frame.payload.readableBytes > 0 {
            do {
                _ = try RPCMessages.Status(decoding: frame.payload)
            } catch {
                throw ProtocolViolation("CANCEL payload is not a valid roster.rpc.v1.Status: \(error)")
            }
        }
        guard let stream = streams.removeValue(forKey: frame.streamID) else { return }
        stream.stop(RPCError(.cancelled, "the client cancelled the call"))
        noteIdleIfNoCalls()
    }

    func handleWindowUpdate(_ frame: Frame) throws(ProtocolViolation) {
        guard frame.streamID != 0, frame.payload.readableBytes == 4,
            let increment = frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt32.self)
        else {
            throw ProtocolViolation("WINDOW_UPDATE must carry a 4-byte increment on a call's stream (stream \(frame.streamID), \(frame.payload.readableBytes) bytes)")
        }
        guard increment > 0 else { throw ProtocolViolation("WINDOW_UPDATE with an increment of 0") }
        guard let stream = streams[frame.streamID] else { return }
        stream.sendWindow += Int(increment)
        guard stream.sendWindow <= Int(Int32.max) else {
            throw ProtocolViolation("WINDOW_UPDATE took the window of stream \(frame.streamID) above 2147483647")
        }
        if stream.sendWindow > 0, let waiter = stream.windowWaiter {
            stream.windowWaiter = nil
            waiter.resume()
        }
    }

    func handlePing(_ frame: Frame) throws(ProtocolViolation) {
        guard frame.streamID == 0, frame.payload.readableBytes == 8 else {
            throw ProtocolViolation("PING must carry 8 bytes on stream 0 (stream \(frame.streamID), \(frame.payload.readableBytes) bytes)")
        }
        guard !frame.flags.contains(.ack) else { return }
        let now = NIODeadline.now()
        if now - pingWindowStart > .seconds(1) {
            pingWindowStart = now
            pingsInWindow = 0
        }
        pingsInWindow += 1
        guard pingsInWindow <= 10 else {
            return connectionError(.resourceExhausted, "too many PINGs: more than 10 in one second")
        }
        writer.append(.ping, flags: .ack, streamID: 0, bytes: frame.payload.readableBytesView)
    }

    func handleOversizedHeaders(_ header: FrameHeader) {
        if header.type == .cancel, header.streamID != 0 {
            // Its reason was too long to read, but a CANCEL still cancels.
            if let stream = streams.removeValue(forKey: header.streamID) {
                stream.stop(RPCError(.cancelled, "the client cancelled the call"))
                noteIdleIfNoCalls()
            }
            return
        }
        guard header.type == .headers, header.streamID % 2 == 1, header.streamID > highestStreamID else {
            return connectionError(.internal, "\(header.type) of \(header.length) bytes on stream \(header.streamID) exceeds max_header_size")
        }
        highestStreamID = header.streamID
        refuse(header.streamID, .resourceExhausted, "call metadata of \(header.length) bytes exceeds the max_header_size of \(configuration.maxHeaderSize); send less metadata")
    }

    // MARK: - Shutdown and timers

    func beginDraining() {
        guard phase == .open || phase == .awaitingSettings else { return }
        phase = .draining
        writer.append(.goAway, streamID: 0, message: RPCMessages.GoAway(lastStreamID: highestStreamID, code: RPCError.Code.unavailable.rawValue, message: "server is shutting down; reconnect to another instance"))
        writer.flushNow()
        if streams.isEmpty { return close() }
        drainTimer = context.eventLoop.assumeIsolated().scheduleTask(in: gracePeriod) { [weak self] in
            guard let self else { return }
            for id in Array(self.streams.keys) {
                self.finish(id, status: RPCError(.unavailable, "server shut down before the call finished; retry on another instance"))
            }
        }
    }

    /// One long-lived timer checks for idleness, rather than a timer cancelled and re-armed per
    /// call (which showed up in profiles with many connections).
    func armIdleTimer(after delay: TimeAmount? = nil) {
        idleTimer?.cancel()
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay ?? configuration.idleTimeout) { [weak self] in
            self?.idleTimerFired()
        }
    }

    func idleTimerFired() {
        guard phase == .open else { return }
        guard streams.isEmpty, let idleSince else { return armIdleTimer() }
        let idleFor = NIODeadline.now() - idleSince
        guard idleFor >= configuration.idleTimeout else { return armIdleTimer(after: configuration.idleTimeout - idleFor) }
        connectionError(.ok, "idle timeout: no calls for \(configuration.idleTimeout.nanoseconds / 1_000_000_000) s")
    }

    func noteIdleIfNoCalls() {
        if streams.isEmpty { idleSince = .now() }
    }

    /// Ends the connection: GOAWAY with the reason, then close.
    func connectionError(_ code: RPCError.Code, _ message: String) {
        guard phase != .closed else { return }
        writer.append(.goAway, streamID: 0, message: RPCMessages.GoAway(lastStreamID: highestStreamID, code: code.rawValue, message: message))
        close()
    }

    func close() {
        guard phase != .closed else { return }
        phase = .closed
        writer.flushNow()
        let error = RPCError(.unavailable, "the connection closed")
        for stream in streams.values { stream.stop(error) }
        streams.removeAll()
        context.close(promise: nil)
    }


    private static func isValidMetadataKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 128
            && key.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
    }
}
