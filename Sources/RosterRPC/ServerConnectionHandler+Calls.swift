internal import Logging
internal import NIOCore
internal import RosterWire

// Running handlers and sending their results: the calls' side of a server connection.
extension ServerConnectionHandler {
    /// Runs the call's handler now, or puts a unary call in line when the connection already
    /// runs its most.
    func start(_ stream: ServerStream) {
        guard let context, let payload = stream.request else { return }
        // The payload arrives as a slice of the connection's read buffer: a handler (or a call
        // waiting to run) that kept it would keep that whole buffer alive. Keep a compact copy,
        // unless the payload is most of that buffer (a large MESSAGE, read into a buffer of its
        // own size): copying megabytes in one go would hold the event loop for nothing.
        let request: ByteBuffer
        if payload.storageCapacity <= 2 * payload.readableBytes {
            request = payload
        } else {
            var copy = context.channel.allocator.buffer(capacity: payload.readableBytes)
            copy.writeImmutableBuffer(payload)
            request = copy
        }
        if case .unary = stream.method {
            // A client that is not reading gets no new work done for it: its calls wait here
            // until the channel is writable again (``launchWaiting()``).
            guard mayStartUnary else {
                stream.request = request
                waitingToExecute.append(stream.id)
                return
            }
            executingUnary += 1
        }
        launch(stream, request: request)
    }

    /// Starts the handler of `stream` with its (compact) request.
    private func launch(_ stream: ServerStream, request: ByteBuffer) {
        guard let context, let executor else { return }
        stream.request = nil
        let connection = NIOLoopBound(self, eventLoop: context.eventLoop)
        stream.task = Self.run(
            stream.method,
            request: request,
            context: stream.context,
            limits: decodingLimits,
            id: stream.id,
            connection: connection,
            executor: executor,
            gate: budget.backgroundCalls,
            connectionID: gateID
        )
    }

    /// Starts a handler as a task preferring the connection's loop (or, for a background method,
    /// the background threads once `gate` admits it); its outcome goes back to the connection.
    static func run(
        _ method: RPCRouter.Method,
        request: ByteBuffer,
        context: RPCServerContext,
        limits: ProtoDecodingLimits,
        id: UInt32,
        connection: NIOLoopBound<ServerConnectionHandler>,
        executor: EventLoopTaskExecutor,
        gate: BackgroundCallGate,
        connectionID: UInt64
    ) -> Task<Void, Never> {
        switch method {
        case .unary(let handler, let placement):
            let answer = { () async throws -> UnaryReply in
                await UnaryReply(try await handler(request, context, limits))
            }
            // A background method runs on the background threads, once the gate admits it.
            let (preferred, gated): (any TaskExecutor, BackgroundCallGate?) =
                switch placement {
                case .eventLoop: (executor, nil)
                case .background: (BackgroundExecutor.shared, gate)
                }
            return Task(executorPreference: preferred) {
                let result: Result<UnaryReply, any Error>
                do {
                    if let gated {
                        result = .success(try await gated.run(connection: connectionID, answer))
                    } else {
                        result = .success(try await answer())
                    }
                } catch {
                    result = .failure(error)
                }
                connection.onLoop { $0.completeUnary(id, result) }
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
                connection.onLoop { $0.finish(id, status: status) }
            }
        }
    }

    /// This connection's name at the background gate.
    var gateID: UInt64 { UInt64(UInt(bitPattern: ObjectIdentifier(self))) }

    /// A unary handler ended: its slot goes to the oldest waiting call still open.
    func unaryHandlerEnded() {
        executingUnary -= 1
        launchWaiting()
    }

    /// Whether a unary call may start now: a slot is free and the client is reading.
    private var mayStartUnary: Bool {
        executingUnary < limits.maxExecutingUnaryCalls && writer.isChannelWritable
    }

    /// Starts the oldest waiting calls still open, while ``mayStartUnary``.
    func launchWaiting() {
        while mayStartUnary, let id = waitingToExecute.popFirst() {
            guard let stream = streams[id], stream.task == nil, let request = stream.request else { continue }
            executingUnary += 1
            launch(stream, request: request)  // already a compact copy
        }
    }

    func completeUnary(_ id: UInt32, _ result: Result<UnaryReply, any Error>) {
        unaryHandlerEnded()
        guard streams[id] != nil else { return }
        switch result {
        case .success(let reply):
            let size = reply.size
            guard size <= peerSettings.maxFrameSize else {
                return finish(
                    id,
                    status: RPCError(
                        .resourceExhausted,
                        "the response of \(size) bytes exceeds the client's max_frame_size of \(peerSettings.maxFrameSize)"
                    )
                )
            }
            // Written even while the channel is not writable: held by the writer, which the
            // queued-bytes bound keeps small, rather than by the handler's task.
            switch reply.body {
            case .message(let message): writer.append(.message, streamID: id, message: message, encodedSize: size)
            case .encoded(let bytes): writer.append(.message, streamID: id, bytes: bytes.readableBytesView)
            }
            finish(id, status: RPCError(.ok, ""))
            // Many replies finishing in one loop tick must not pile up unwritten: past the
            // threshold they go to the channel, whose writability then tells what waits.
            if writer.pendingBytes >= FrameWriter.flushThreshold { writer.flushNow() }
            checkQueued()
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
        /// Not written: the client's window is spent, or the channel is not writable; wait with
        /// ``waitForWindow(_:)``.
        case needsWindow
    }

    /// Writes one streamed response if the client's window allows. Synchronous, so the common
    /// case costs no suspension.
    func trySend<M: ProtoMessage>(_ message: M, on id: UInt32) throws(RPCError) -> SendOutcome {
        guard let stream = streams[id] else { throw RPCError(.cancelled, "the call has ended") }
        guard stream.sendWindow > 0, writer.isChannelWritable else { return .needsWindow }
        let size = message.encodedSize
        guard size <= peerSettings.maxFrameSize else {
            throw RPCError(
                .resourceExhausted,
                "a response of \(size) bytes exceeds the client's max_frame_size of \(peerSettings.maxFrameSize)"
            )
        }
        writer.append(.message, streamID: id, message: message, encodedSize: size)
        stream.sendWindow -= size
        if writer.pendingBytes >= FrameWriter.flushThreshold {
            writer.flushNow()
            return .sentAndFlushed
        }
        writer.flushSoon()
        return .sent
    }

    /// Suspends until the client grants window on stream `id` and the channel is writable, or
    /// the call ends.
    func waitForWindow(_ id: UInt32) async throws {
        guard let stream = streams[id] else { throw RPCError(.cancelled, "the call has ended") }
        guard stream.sendWindow <= 0 || !writer.isChannelWritable else { return }
        writer.flushNow()
        try await withCheckedThrowingContinuation { stream.windowWaiter = $0 }
    }

    /// Ends a call with TRAILERS (OK or an error) and forgets it.
    func finish(_ id: UInt32, status: RPCError) {
        guard let stream = streams[id] else { return }
        if logger.logLevel <= .trace {  // the call's logger is made only when its line is written
            stream.logger.trace(
                "call ended",
                metadata: [
                    RPCLogKey.stream.rawValue: "\(id)", RPCLogKey.method.rawValue: "\(stream.context.method)",
                    RPCLogKey.code.rawValue: "\(status.code)",
                ]
            )
        }
        metrics?.callEnded(method: stream.context.method, code: status.code, duration: now - stream.openedAt)
        var status = status
        if status.code != .ok {
            stream.stop(status)
            status.metadata[RPCRequestID.metadataKey] = stream.context.requestID
        } else {
            stream.deadlineTimer?.cancel()
        }
        sendTrailers(id, status)
        _ = removeStream(id)
    }

    /// Forgets a call: gives back its share of the server's budget, tells the machine, and
    /// closes a draining connection whose last call this was.
    func removeStream(_ id: UInt32) -> ServerStream? {
        guard let stream = streams.removeValue(forKey: id) else { return nil }
        budget.release(headerBytes: stream.headerBytes)
        if machine?.callClosed(id, now: now) == true { close() }
        return stream
    }

    /// Answers a call that never started; with its request id once its HEADERS were read.
    /// `method` is the path asked for, once the HEADERS were read (for the calls metric).
    func refuse(
        _ id: UInt32,
        _ code: RPCError.Code,
        _ message: String,
        requestID: String? = nil,
        method: String = RPCMetrics.unknownMethod
    ) {
        metrics?.callEnded(method: method, code: code, duration: nil)
        var status = RPCError(code, message)
        if let requestID { status.metadata[RPCRequestID.metadataKey] = requestID }
        sendTrailers(id, status)
    }

    func sendTrailers(_ id: UInt32, _ status: RPCError) {
        var payload = RPCMessages.Status(code: status.code.rawValue, message: status.message)
        payload.metadata = status.metadata
        // Keep the trailers within what the client accepts: drop metadata but the request id (at
        // most 128 bytes), shorten the message, and drop the request id too only when the client's
        // max_header_size is too small for it.
        if payload.encodedSize > peerSettings.maxHeaderSize {
            payload.metadata = payload.metadata.filter { $0.key == RPCRequestID.metadataKey }
            payload.message = Self.truncated(payload.message, toBytes: peerSettings.maxHeaderSize / 2)
            if payload.encodedSize > peerSettings.maxHeaderSize { payload.metadata = [:] }
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

}

/// A unary handler's response and its encoded size. A large one is encoded (and the message
/// released) before it reaches the connection, on the background threads
/// (``BackgroundExecutor``): encoding a page of 1,000 contacts takes milliseconds that would
/// otherwise hold up every other connection of the loop.
struct UnaryReply: Sendable {
    /// Responses of this many bytes or more are encoded before they reach the connection.
    static let encodeEarlyBytes = 64 * 1024

    enum Body: Sendable {
        case message(any ProtoMessage)
        case encoded(ByteBuffer)
    }

    let body: Body
    /// The encoded message's size in bytes.
    let size: Int

    init(_ message: any ProtoMessage) async {
        let size = message.encodedSize
        self.size = size
        guard size >= Self.encodeEarlyBytes else {
            body = .message(message)
            return
        }
        body = .encoded(
            await withTaskExecutorPreference(BackgroundExecutor.shared) {
                var buffer = ByteBufferAllocator().buffer(capacity: size)
                message.encode(into: &buffer, encodedSize: size)
                return buffer
            }
        )
    }
}
