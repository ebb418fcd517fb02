internal import NIOCore
internal import RosterTLS
internal import RosterWire

/// The client side of one Roster connection: opens streams, sends requests, routes responses
/// and trailers to waiting calls, returns flow-control credit, answers and sends PINGs, honours
/// GOAWAY. Confined to its channel's event loop.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Where a call's response goes.
    enum Receiver {
        /// A unary call: the one response message, then the status.
        case unary(CheckedContinuation<ByteBuffer, any Error>, response: ByteBuffer?)
        /// A server-streaming call: every message into a buffer the caller drains.
        case streaming(ResponseStreamBuffer)
    }

    final class Stream {
        let id: UInt32
        var receiver: Receiver
        var deadlineTimer: Scheduled<Void>?
        /// HEADERS and MESSAGE, encoded, while the call waits for one of the server's streams.
        var waitingRequest: ByteBuffer?

        init(id: UInt32, receiver: Receiver) {
            self.id = id
            self.receiver = receiver
        }
    }

    private let clientConfiguration: RPCClientConnection.Configuration
    private var configuration: RPCConnectionLimits { clientConfiguration.connection }
    /// Set between `handlerAdded` and `handlerRemoved` only (holding it longer is a reference
    /// cycle that keeps the connection in memory for good).
    private var context: ChannelHandlerContext?
    private let writer = FrameWriter()
    private let validator = FrameValidator(role: .client)
    private var peerSettings = PeerSettings()
    private var streams: [UInt32: Stream] = [:]
    /// Keepalive and stream admission decisions; set in `handlerAdded`.
    private var machine: ClientConnectionMachine?
    private var nextStreamID: UInt32 = 1
    /// Why no new calls may start here, once that is so.
    private(set) var closedReason: RPCError? {
        didSet { if closedReason != nil { onUnusable?() } }
    }
    /// Told once new calls can no longer start here (GOAWAY, error, close).
    var onUnusable: (@Sendable () -> Void)?
    private var keepaliveTimer: Scheduled<Void>?
    private var closingGracefully = false
    /// Completed by the server's first SETTINGS; failed if the connection ends before it.
    private var ready: EventLoopPromise<Void>?
    /// Splits bytes into frames right here, so frames are never boxed into `NIOAny`.
    private var frames: NIOSingleStepByteToMessageProcessor<FrameDecoder>

    init(configuration: RPCClientConnection.Configuration, ready: EventLoopPromise<Void>?) {
        self.clientConfiguration = configuration
        self.ready = ready
        self.frames = NIOSingleStepByteToMessageProcessor(
            FrameDecoder(
                limits: .init(
                    maxFrameSize: configuration.connection.maxFrameSize,
                    maxHeaderSize: configuration.connection.maxHeaderSize
                ),
                expectsPreface: false
            )
        )
    }

    /// Whether new calls can start on this connection.
    var isUsable: Bool { closedReason == nil }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        machine = ClientConnectionMachine(limits: .init(clientConfiguration), now: context.eventLoop.now)
        writer.attach(to: context)
        writer.appendRaw(ConnectionPreface.bytes)
        writer.append(.settings, streamID: 0, message: configuration.settingsMessage)
        writer.flushNow()
        // Keepalive starts once the connection is up; before that the connect timeout applies.
        if context.channel.isActive { armKeepalive(after: machine?.firstKeepaliveCheck) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        keepaliveTimer?.cancel()
        keepaliveTimer = nil
        failAll(closedReason ?? RPCError(.unavailable, "the connection closed"))
        writer.detach()
        self.context = nil
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writer.isChannelWritable = context.channel.isWritable
        context.fireChannelWritabilityChanged()
    }

    func channelActive(context: ChannelHandlerContext) {
        machine?.frameReceived(now: context.eventLoop.now)
        armKeepalive(after: machine?.firstKeepaliveCheck)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepaliveTimer?.cancel()
        let reason = closedReason ?? RPCError(.unavailable, "the server closed the connection")
        closedReason = reason
        failReady(reason)
        failAll(reason)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason: RPCError
        switch error {
        case let error as TLSError:
            reason = RPCError(.unavailable, error.description, metadata: [RPCError.tlsErrorCodeKey: "\(error.code)"])
        case let error as FrameDecodingError: reason = RPCError(.internal, "the server broke the protocol: \(error)")
        default: reason = RPCError(.unavailable, "connection error: \(error)")
        }
        if closedReason == nil { closedReason = reason }
        failReady(reason)
        failAll(reason)
        context.close(promise: nil)
    }

    private func failReady(_ error: RPCError) {
        ready?.fail(error)
        ready = nil
    }

    // MARK: - Starting calls (on the event loop)

    /// Opens a stream: HEADERS, then the request with END_STREAM. Returns the stream id.
    func startCall<Request: ProtoMessage>(
        path: String,
        request: Request,
        metadata: [String: String],
        timeout: TimeAmount?,
        receiver: Receiver
    ) -> UInt32? {
        if var closedReason {
            closedReason.wasNotProcessed = true
            fail(receiver, closedReason)
            return nil
        }
        guard let context else {
            fail(receiver, RPCError(.unavailable, "the connection closed"))
            return nil
        }
        let size = request.encodedSize
        guard size <= peerSettings.maxFrameSize else {
            fail(
                receiver,
                RPCError(
                    .resourceExhausted,
                    "the request of \(size) bytes exceeds the server's max_frame_size of \(peerSettings.maxFrameSize); page the request"
                )
            )
            return nil
        }
        let id = nextStreamID
        nextStreamID += 2
        let timeoutMicros = timeout.map { UInt64(max($0.nanoseconds / 1000, 1)) } ?? 0
        let headers = RPCMessages.CallHeaders(method: path, timeoutMicros: timeoutMicros, metadata: metadata)
        guard headers.encodedSize <= peerSettings.maxHeaderSize else {
            fail(
                receiver,
                RPCError(
                    .resourceExhausted,
                    "call metadata of \(headers.encodedSize) bytes exceeds the server's max_header_size of \(peerSettings.maxHeaderSize)"
                )
            )
            return nil
        }
        let stream = Stream(id: id, receiver: receiver)
        streams[id] = stream
        if let timeout {
            stream.deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { [weak self] in
                let millis = timeout.nanoseconds / 1_000_000
                self?.cancel(id, RPCError(.deadlineExceeded, "deadline of \(millis) ms exceeded"))
            }
        }
        let unsent =
            writer.isChannelWritable && writer.pendingBytes <= configuration.maxQueuedBytes
            ? 0 : writer.pendingBytes + writer.channelBufferedBytes
        let requestBytes = size + headers.encodedSize + 2 * Frame.headerSize
        switch machine?.admit(
            id,
            requestBytes: requestBytes,
            unsentBytes: unsent,
            maxConcurrentStreams: peerSettings.maxConcurrentStreams
        ) {
        case .send:
            writer.append(.headers, streamID: id, message: headers)
            writer.append(.message, flags: .endStream, streamID: id, message: request, encodedSize: size)
            // Large requests go to the channel at once, so its writability reflects them.
            if writer.pendingBytes >= FrameWriter.flushThreshold { writer.flushNow() } else { writer.flushSoon() }
        case .wait:
            // Every stream the server allows is busy: wait here, in order (PROTOCOL.md §5).
            var frames = context.channel.allocator.buffer(capacity: requestBytes)
            Frame.write(.headers, streamID: id, message: headers, to: &frames)
            Frame.write(.message, flags: .endStream, streamID: id, message: request, encodedSize: size, to: &frames)
            stream.waitingRequest = frames
        case .refuse(let error):
            streams.removeValue(forKey: id)
            stream.deadlineTimer?.cancel()
            fail(receiver, error)
            return nil
        case nil:
            streams.removeValue(forKey: id)
            stream.deadlineTimer?.cancel()
            fail(receiver, RPCError(.unavailable, "the connection closed"))
            return nil
        }
        return id
    }

    /// Forgets a call; a stream it held goes to the oldest waiting call.
    private func removeStream(_ id: UInt32) -> Stream? {
        guard let stream = streams.removeValue(forKey: id) else { return nil }
        stream.deadlineTimer?.cancel()
        machine?.callEnded(waitingBytes: stream.waitingRequest?.readableBytes)
        if stream.waitingRequest == nil { startWaitingCalls() }
        return stream
    }

    private func startWaitingCalls() {
        guard closedReason == nil || closingGracefully else { return }
        var started = false
        let limit = peerSettings.maxConcurrentStreams
        while let id = machine?.nextToSend(
            maxConcurrentStreams: limit,
            isWaiting: { streams[$0]?.waitingRequest?.readableBytes }
        ),
            let stream = streams[id], var request = stream.waitingRequest
        {
            stream.waitingRequest = nil
            writer.appendRaw(&request)
            started = true
        }
        if started { writer.flushSoon() }
    }

    /// Gives up on a call: CANCEL to the server, `error` to the caller.
    func cancel(_ id: UInt32, _ error: RPCError) {
        let wasSent = streams[id]?.waitingRequest == nil
        guard let stream = removeStream(id) else { return }
        if wasSent, context?.channel.isActive == true {
            writer.append(
                .cancel,
                streamID: id,
                message: RPCMessages.Status(code: error.code.rawValue, message: error.message)
            )
            writer.flushSoon()
        }
        fail(stream.receiver, error)
        closeIfDone()
    }

    /// Returns `bytes` of credit to the server on a streaming call.
    func returnCredit(_ id: UInt32, bytes: Int) {
        guard streams[id] != nil, bytes > 0, context?.channel.isActive == true else { return }
        var increment = ByteBuffer()
        increment.writeInteger(UInt32(bytes))
        writer.append(.windowUpdate, streamID: id, bytes: increment.readableBytesView)
        writer.flushSoon()
    }

    /// Sends GOAWAY and closes once calls in flight have finished (or at once when none are).
    func closeGracefully() {
        if closedReason == nil { closedReason = RPCError(.unavailable, "the client closed the connection") }
        closingGracefully = true
        closeIfDone()
    }

    private func closeIfDone() {
        if closingGracefully, streams.isEmpty, let context, context.channel.isActive {
            writer.append(
                .goAway,
                streamID: 0,
                message: RPCMessages.GoAway(lastStreamID: 0, code: 0, message: "client closing")
            )
            writer.flushNow(evenIfUnwritable: true)
            context.close(promise: nil)
        }
    }

    // MARK: - Reading frames

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        writer.inReadBurst = true
        machine?.frameReceived(now: context.eventLoop.now)
        do {
            try frames.process(buffer: unwrapInboundIn(data)) { event in
                switch event {
                case .frame(let frame):
                    handle(frame)
                case .skipped(let header):
                    handleSkipped(header)
                }
            }
        } catch {
            protocolError("the server broke the protocol: \(error)")
        }
    }

    private func handleSkipped(_ header: FrameHeader) {
        // An unreadable TRAILERS or CANCEL still ends its call; anything else is a violation.
        guard header.type == .trailers || header.type == .cancel, let stream = removeStream(header.streamID) else {
            return protocolError(
                "the server sent \(header.type) of \(header.length) bytes, over our max_header_size of \(configuration.maxHeaderSize)"
            )
        }
        stream.deadlineTimer?.cancel()
        fail(
            stream.receiver,
            RPCError(
                header.type == .cancel ? .cancelled : .resourceExhausted,
                "the server's \(header.type) of \(header.length) bytes exceeds our max_header_size of \(configuration.maxHeaderSize)"
            )
        )
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        writer.inReadBurst = false
        writer.flushNow()
        context.fireChannelReadComplete()
    }

    private func handle(_ frame: Frame) {
        let inbound: InboundFrame
        do {
            inbound = try validator.validate(frame)
        } catch {
            return protocolError("the server broke the protocol: \(error)")
        }
        switch inbound {
        case .settings(let settings):
            do {
                try peerSettings.apply(settings)
            } catch {
                return protocolError("invalid SETTINGS from the server: \(error)")
            }
            writer.append(.settings, flags: .ack, streamID: 0, bytes: EmptyCollection())
            ready?.succeed()
            ready = nil
        case .message(let id, let payload, _):
            guard let stream = streams[id] else { return }
            switch stream.receiver {
            case .unary(let continuation, let response):
                guard response == nil else {
                    return cancel(id, RPCError(.internal, "the server sent a second response to a unary call"))
                }
                stream.receiver = .unary(continuation, response: payload)
            case .streaming(let buffer):
                buffer.append(payload)
            }
        case .trailers(let id, let payload):
            guard let stream = removeStream(id) else { return }
            stream.deadlineTimer?.cancel()
            let status: RPCMessages.Status
            do {
                status = try RPCMessages.Status(decoding: payload)
            } catch {
                return fail(
                    stream.receiver,
                    RPCError(.internal, "the server's trailers are not a valid roster.rpc.v1.Status: \(error)")
                )
            }
            complete(stream.receiver, status: status)
            closeIfDone()
        case .cancel(let id, let reason):
            guard let stream = removeStream(id) else { return }
            stream.deadlineTimer?.cancel()
            let message = reason.map(\.message).flatMap { $0.isEmpty ? nil : $0 } ?? "the server cancelled the call"
            fail(stream.receiver, RPCError(.cancelled, message))
        case .ping(let payload):
            writer.append(.ping, flags: .ack, streamID: 0, bytes: payload.readableBytesView)
        case .goAway(let goAway):
            let code = goAway.code == 0 ? RPCError.Code.unavailable : RPCError.Code(wire: goAway.code)
            let reason = RPCError(code, goAway.message.isEmpty ? "the server sent GOAWAY" : goAway.message)
            closedReason = reason
            failReady(reason)
            // Calls the server will never process fail now, safe to retry; the rest may still finish.
            var unprocessed = reason
            unprocessed.wasNotProcessed = true
            for id in streams.keys where id > goAway.lastStreamID {
                if let stream = removeStream(id) { fail(stream.receiver, unprocessed) }
            }
        case .headers, .settingsAck, .pingAck, .windowUpdate, .unknown:
            break  // HEADERS is refused by the validator; client requests are single messages
        }
    }

    private func complete(_ receiver: Receiver, status: RPCMessages.Status) {
        let code = RPCError.Code(wire: status.code)
        switch receiver {
        case .unary(let continuation, let response):
            if code == .ok {
                guard let response else {
                    return continuation.resume(
                        throwing: RPCError(.internal, "the server ended a unary call with OK but no response")
                    )
                }
                continuation.resume(returning: response)
            } else {
                continuation.resume(throwing: RPCError(code, status.message, metadata: status.metadata))
            }
        case .streaming(let buffer):
            buffer.finish(code == .ok ? nil : RPCError(code, status.message, metadata: status.metadata))
        }
    }

    private func fail(_ receiver: Receiver, _ error: RPCError) {
        switch receiver {
        case .unary(let continuation, _): continuation.resume(throwing: error)
        case .streaming(let buffer): buffer.finish(error)
        }
    }

    private func failAll(_ error: RPCError) {
        let all = streams.values
        streams.removeAll()
        machine?.closed()
        for stream in all {
            stream.deadlineTimer?.cancel()
            fail(stream.receiver, error)
        }
    }

    private func protocolError(_ message: String) {
        let reason = RPCError(.internal, message)
        closedReason = reason
        failReady(reason)
        writer.append(
            .goAway,
            streamID: 0,
            message: RPCMessages.GoAway(lastStreamID: 0, code: reason.code.rawValue, message: message)
        )
        writer.flushNow(evenIfUnwritable: true)
        failAll(reason)
        context?.close(promise: nil)
    }

    // MARK: - Keepalive

    /// Checks for silence every keepalive interval (not per frame, so reading stays cheap).
    private func armKeepalive(after delay: TimeAmount?) {
        keepaliveTimer?.cancel()
        guard let delay, let context else { return }
        keepaliveTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [weak self] in
            self?.keepaliveTimerFired()
        }
    }

    private func keepaliveTimerFired() {
        guard let context, context.channel.isActive else { return }  // closed: nothing to keep alive
        switch machine?.keepaliveTimerFired(now: context.eventLoop.now) {
        case .wait(let delay):
            armKeepalive(after: delay)
        case .ping(let delay):
            writer.append(.ping, streamID: 0, bytes: [UInt8](repeating: 0, count: 8))
            writer.flushNow(evenIfUnwritable: true)
            armKeepalive(after: delay)
        case .close(let reason):
            closedReason = reason
            context.close(promise: nil)
        case nil:
            break
        }
    }

}

extension RPCError.Code {
    /// A code received from the peer: one this side does not know, negative included, is 2 UNKNOWN (§7).
    fileprivate init(wire rawValue: Int32) {
        self.init(rawValue: (0...16).contains(rawValue) ? rawValue : RPCError.Code.unknown.rawValue)
    }
}
