internal import NIOCore
internal import RosterWire

// Starting calls, ending them, and closing: the calls' side of a client connection.
extension ClientConnectionHandler {
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
    func removeStream(_ id: UInt32) -> Stream? {
        guard let stream = streams.removeValue(forKey: id) else { return nil }
        stream.deadlineTimer?.cancel()
        machine?.callEnded(waitingBytes: stream.waitingRequest?.readableBytes)
        if stream.waitingRequest == nil { startWaitingCalls() }
        return stream
    }

    func startWaitingCalls() {
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

    func closeIfDone() {
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
}
