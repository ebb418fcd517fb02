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

    private enum Phase {
        case awaitingSettings
        case open
        case draining
        case closed
    }

    private let router: RPCRouter
    private let configuration: RPCConfiguration
    private let decodingLimits: ProtoDecodingLimits
    private var context: ChannelHandlerContext!
    private var executor: EventLoopTaskExecutor!
    private let writer = FrameWriter()
    private var phase = Phase.awaitingSettings
    private var peerSettings = PeerSettings()
    private var streams: [UInt32: ServerStream] = [:]
    private var highestStreamID: UInt32 = 0
    private var tlsPeer: TLSPeer?
    private var handshakeTimer: Scheduled<Void>?
    private var idleTimer: Scheduled<Void>?
    /// When the last call ended, while no call is open.
    private var idleSince: NIODeadline? = .now()
    private var drainTimer: Scheduled<Void>?
    private let gracePeriod: TimeAmount
    /// Splits bytes into frames right here, rather than in a handler of its own, so a frame is
    /// never boxed into `NIOAny` on its way through the pipeline.
    private var frames: NIOSingleStepByteToMessageProcessor<FrameDecoder>
    /// PINGs received in the current one-second window, to refuse a flood (PROTOCOL.md §11).
    private var pingWindowStart = NIODeadline.uptimeNanoseconds(0)
    private var pingsInWindow = 0

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

    private func handle(_ frame: Frame) throws(ProtocolViolation) {
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

    private func handleSettings(_ frame: Frame) throws(ProtocolViolation) {
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

    private func handleHeaders(_ frame: Frame) throws(ProtocolViolation) {
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

    private func handleMessage(_ frame: Frame) throws(ProtocolViolation) {
        guard frame.streamID != 0 else { throw ProtocolViolation("MESSAGE on stream 0; it belongs on a call's stream") }
        guard let stream = streams[frame.streamID] else {
            guard frame.streamID <= highestStreamID else {
                throw ProtocolViolation("MESSAGE on stream \(frame.streamID), which was never opened")
            }
            return  // a stream that already closed: the frame was in flight
        }
        guard stream.request == nil, stream.task == nil, frame.flags.contains(.endStream) else {
            let got = stream.request == nil ? "more after this one (END_STREAM not set)" : "a second"
            return finish(stream.id, status: RPCError(.internal, "\(stream.context.method) expects one request message, got \(got)"))
        }
        stream.request = frame.payload
        start(stream)
    }

    private func handleCancel(_ frame: Frame) throws(ProtocolViolation) {
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

    private func handleWindowUpdate(_ frame: Frame) throws(ProtocolViolation) {
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

    private func handlePing(_ frame: Frame) throws(ProtocolViolation) {
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

    private func handleOversizedHeaders(_ header: FrameHeader) {
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

    // MARK: - Running handlers

    private func start(_ stream: ServerStream) {
        let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
        stream.task = Self.run(
            stream.method,
            request: stream.request ?? ByteBuffer(),
            context: stream.context,
            limits: decodingLimits,
            id: stream.id,
            connection: connection,
            executor: executor
        )
    }

    /// Starts a handler as a task preferring the connection's loop; its outcome goes back to the connection.
    private static func run(
        _ method: RPCRouter.Method,
        request: ByteBuffer,
        context: RPCServerContext,
        limits: ProtoDecodingLimits,
        id: UInt32,
        connection: NIOLoopBound<ServerConnectionHandler>,
        executor: EventLoopTaskExecutor
    ) -> Task<Void, Never> {
        switch method {
        case .unary(let handler):
            return Task(executorPreference: executor) {
                let result: Result<any ProtoMessage, any Error>
                do {
                    result = .success(try await handler(request, context, limits))
                } catch {
                    result = .failure(error)
                }
                onLoop(connection) { $0.completeUnary(id, result) }
            }
        case .serverStreaming(let handler):
            let sink = ResponseSink(connection: connection, executor: executor, streamID: id)
            return Task(executorPreference: executor) {
                let status: RPCError
                do {
                    try await handler(request, context, limits, sink)
                    status = RPCError(.ok, "")
                } catch {
                    status = Self.status(for: error)
                }
                onLoop(connection) { $0.finish(id, status: status) }
            }
        }
    }

    private static func onLoop(_ connection: NIOLoopBound<ServerConnectionHandler>, _ body: @escaping @Sendable (ServerConnectionHandler) -> Void) {
        if connection.eventLoop.inEventLoop {
            body(connection.value)
        } else {
            connection.eventLoop.execute { body(connection.value) }
        }
    }

    private func completeUnary(_ id: UInt32, _ result: Result<any ProtoMessage, any Error>) {
        guard streams[id] != nil else { return }
        switch result {
        case .success(let response):
            let size = response.encodedSize
            guard size <= peerSettings.maxFrameSize else {
                return finish(id, status: RPCError(.resourceExhausted, "the response of \(size) bytes exceeds the client's max_frame_size of \(peerSettings.maxFrameSize)"))
            }
            writer.append(.message, streamID: id, message: response)
            finish(id, status: RPCError(.ok, ""))
        case .failure(let error):
            finish(id, status: Self.status(for: error))
        }
    }

    /// What ``trySend(_:on:)`` did.
    enum SendOutcome {
        /// Written (to be flushed soon).
        case sent
        /// Written, and enough is waiting that it was flushed: the writer should yield the loop.
        case sentAndFlushed
        /// Not written: the client's window is spent; wait with ``waitForWindow(_:)``.
        case needsWindow
    }

    /// Writes one streamed response if the client's window allows. Synchronous, so the common
    /// case costs no suspension.
    func trySend<M: ProtoMessage>(_ message: M, on id: UInt32) throws(RPCError) -> SendOutcome {
        guard let stream = streams[id] else { throw RPCError(.cancelled, "the call has ended") }
        guard stream.sendWindow > 0 else { return .needsWindow }
        let size = message.encodedSize
        guard size <= peerSettings.maxFrameSize else {
            throw RPCError(.resourceExhausted, "a response of \(size) bytes exceeds the client's max_frame_size of \(peerSettings.maxFrameSize)")
        }
        writer.append(.message, streamID: id, message: message)
        stream.sendWindow -= size
        if writer.pendingBytes >= FrameWriter.flushThreshold {
            writer.flushNow()
            return .sentAndFlushed
        }
        writer.flushSoon()
        return .sent
    }

    /// Suspends until the client grants window on stream `id`, or the call ends.
    func waitForWindow(_ id: UInt32) async throws {
        guard let stream = streams[id] else { throw RPCError(.cancelled, "the call has ended") }
        guard stream.sendWindow <= 0 else { return }
        writer.flushNow()
        try await withCheckedThrowingContinuation { stream.windowWaiter = $0 }
    }

    /// Ends a call with TRAILERS (OK or an error) and forgets it.
    private func finish(_ id: UInt32, status: RPCError) {
        guard let stream = streams.removeValue(forKey: id) else { return }
        if status.code != .ok { stream.stop(status) } else { stream.deadlineTimer?.cancel() }
        sendTrailers(id, status)
        noteIdleIfNoCalls()
        if phase == .draining, streams.isEmpty { close() }
    }

    /// Answers a call that never started.
    private func refuse(_ id: UInt32, _ code: RPCError.Code, _ message: String) {
        sendTrailers(id, RPCError(code, message))
    }

    private func sendTrailers(_ id: UInt32, _ status: RPCError) {
        var payload = RPCMessages.Status(code: status.code.rawValue, message: status.message)
        payload.metadata = status.metadata
        // Keep the trailers within what the client accepts: drop metadata, then shorten the message.
        if payload.encodedSize > peerSettings.maxHeaderSize {
            payload.metadata = [:]
            payload.message = Self.truncated(payload.message, toBytes: peerSettings.maxHeaderSize / 2)
        }
        writer.append(.trailers, flags: .endStream, streamID: id, message: payload)
        writer.flushSoon()
    }

    /// `text` cut to at most `limit` UTF-8 bytes, at a character boundary.
    static func truncated(_ text: String, toBytes limit: Int) -> String {
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            guard used + size <= limit else { break }
            result.append(character)
            used += size
        }
        return result
    }

    static func status(for error: any Error) -> RPCError {
        if let error = error as? RPCError { return error }
        if error is CancellationError { return RPCError(.cancelled, "the call was cancelled") }
        return RPCError(.internal, "the server failed: \(error)")
    }

    // MARK: - Shutdown and timers

    private func beginDraining() {
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
    private func armIdleTimer(after delay: TimeAmount? = nil) {
        idleTimer?.cancel()
        idleTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay ?? configuration.idleTimeout) { [weak self] in
            self?.idleTimerFired()
        }
    }

    private func idleTimerFired() {
        guard phase == .open else { return }
        guard streams.isEmpty, let idleSince else { return armIdleTimer() }
        let idleFor = NIODeadline.now() - idleSince
        guard idleFor >= configuration.idleTimeout else { return armIdleTimer(after: configuration.idleTimeout - idleFor) }
        connectionError(.ok, "idle timeout: no calls for \(configuration.idleTimeout.nanoseconds / 1_000_000_000) s")
    }

    private func noteIdleIfNoCalls() {
        if streams.isEmpty { idleSince = .now() }
    }

    /// Ends the connection: GOAWAY with the reason, then close.
    private func connectionError(_ code: RPCError.Code, _ message: String) {
        guard phase != .closed else { return }
        writer.append(.goAway, streamID: 0, message: RPCMessages.GoAway(lastStreamID: highestStreamID, code: code.rawValue, message: message))
        close()
    }

    private func close() {
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
