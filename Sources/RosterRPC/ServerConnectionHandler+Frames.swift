internal import Logging
internal import NIOCore
internal import RosterWire

// Reading frames: what each frame type does to the connection and its calls (PROTOCOL.md §4–§10).
extension ServerConnectionHandler {
    func handle(_ frame: Frame) throws(ProtocolViolation) {
        let inbound = try validator.validate(frame)
        if machine?.phase == .awaitingSettings {
            guard case .settings = inbound else {
                throw ProtocolViolation("expected SETTINGS as the first frame, got \(frame.type)")
            }
        }
        switch inbound {
        case .settings(let settings):
            try peerSettings.apply(settings)
            writer.append(.settings, flags: .ack, streamID: 0, bytes: EmptyCollection())
            machine?.settingsReceived(now: now)
        case .settingsAck, .pingAck, .unknown:
            break
        case .headers(let id, let payload, let endStream):
            try openCall(id, payload: payload, endStream: endStream)
        case .message(let id, let payload, let endStream):
            try handleMessage(id, payload: payload, endStream: endStream)
        case .trailers:
            break  // the validator refuses TRAILERS from a client
        case .cancel(let id, _):
            cancelCall(id)
        case .windowUpdate(let id, let increment):
            guard let stream = streams[id] else { return }
            stream.sendWindow += Int(increment)
            guard stream.sendWindow <= Int(Int32.max) else {
                throw ProtocolViolation("WINDOW_UPDATE took the window of stream \(id) above 2147483647")
            }
            if stream.sendWindow > 0 { stream.resumeWindowWaiter() }
        case .ping(let payload):
            if let action = machine?.pingReceived(now: now) { return perform(action) }
            writer.append(.ping, flags: .ack, streamID: 0, bytes: payload.readableBytesView)
        case .goAway:
            if end == nil { end = .peerClosed }  // the client is leaving
            beginDraining(
                code: .unavailable,
                "server is shutting down; reconnect to another instance",
                reason: RPCError(.unavailable, "the connection closed before the call finished")
            )
        }
    }

    func openCall(_ id: UInt32, payload: ByteBuffer, endStream: Bool) throws(ProtocolViolation) {
        guard id > highestStreamID else {
            throw ProtocolViolation(
                "HEADERS on stream \(id), but stream \(highestStreamID) was already opened; stream ids must increase"
            )
        }
        highestStreamID = id
        guard machine?.phase == .open else {
            return refuse(id, .unavailable, "server is shutting down; retry on a new connection")
        }
        guard streams.count < configuration.maxConcurrentStreams else {
            let limit = configuration.maxConcurrentStreams
            noteAbuse(.refusedStream, "a call over the \(limit) allowed on one connection")
            return refuse(
                id,
                .resourceExhausted,
                "this connection already has \(limit) calls in flight; the limit is \(limit): wait for calls to finish or open another connection"
            )
        }
        let headers: RPCMessages.CallHeaders
        do {
            headers = try RPCMessages.CallHeaders(decoding: payload)
        } catch {
            return refuse(id, .internal, "call headers are not a valid roster.rpc.v1.CallHeaders: \(error)")
        }
        // From here on every refusal carries the call's request id.
        let requestID = RPCRequestID.forCall(metadata: headers.metadata)
        if let badKey = headers.metadata.keys.first(where: { !Self.isValidMetadataKey($0) }) {
            return refuse(
                id,
                .invalidArgument,
                "metadata key \"\(badKey)\" is not allowed: use 1–128 lower-case ASCII letters, digits, '-', '_' or '.'",
                requestID: requestID,
                method: headers.method
            )
        }
        guard let method = router.methods[headers.method] else {
            let served = router.paths.joined(separator: ", ")
            return refuse(
                id,
                .unimplemented,
                "unknown method \(headers.method); this server serves \(served)",
                requestID: requestID,
                method: headers.method
            )
        }
        guard !endStream else {
            return refuse(
                id,
                .internal,
                "\(headers.method) expects one request message, got none",
                requestID: requestID,
                method: headers.method
            )
        }
        let headerBytes = payload.readableBytes
        if let refusal = machine?.refusalToAwait(headerBytes: headerBytes) {
            noteAbuse(
                .oversizedHeaders,
                "half-open calls holding \(machine?.awaitingHeaderBytes ?? 0) bytes of metadata"
            )
            return refuse(id, refusal.code, refusal.message, requestID: requestID, method: headers.method)
        }
        switch budget.take(headerBytes: headerBytes) {
        case .tooManyCalls:
            noteAbuse(.refusedStream, "a call over the server's \(budget.maxOpenCalls) open calls")
            return refuse(
                id,
                .resourceExhausted,
                "the server has \(budget.maxOpenCalls) calls open; the limit is \(budget.maxOpenCalls): retry later",
                requestID: requestID,
                method: headers.method
            )
        case .tooManyHeaderBytes:
            noteAbuse(.oversizedHeaders, "call metadata over the server's budget of \(budget.maxHeaderBytes) bytes")
            return refuse(
                id,
                .resourceExhausted,
                "the server holds \(budget.maxHeaderBytes) bytes of call metadata, its limit: retry later or send less metadata",
                requestID: requestID,
                method: headers.method
            )
        case nil:
            break
        }
        let deadline =
            headers.timeoutMicros > 0
            ? now + .microseconds(Int64(clamping: headers.timeoutMicros)) : nil
        let callContext = RPCServerContext(
            method: headers.method,
            metadata: headers.metadata,
            requestID: requestID,
            deadline: deadline,
            remoteAddress: context?.channel.remoteAddress,
            tlsPeer: tlsPeer
        )
        let stream = ServerStream(
            id: id,
            method: method,
            context: callContext,
            sendWindow: peerSettings.initialWindowSize,
            headerBytes: headerBytes,
            openedAt: now,
            logger: logger
        )
        if let deadline, let context {
            stream.deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [weak self] in
                let millis = headers.timeoutMicros / 1000
                self?.finish(id, status: RPCError(.deadlineExceeded, "deadline of \(millis) ms exceeded"))
            }
        }
        streams[id] = stream
        machine?.callOpened(id, hasRequest: false, headerBytes: headerBytes, now: now)
    }

    func handleMessage(_ id: UInt32, payload: ByteBuffer, endStream: Bool) throws(ProtocolViolation) {
        guard let stream = streams[id] else {
            guard id <= highestStreamID else {
                throw ProtocolViolation("MESSAGE on stream \(id), which was never opened")
            }
            return  // a stream that already closed: the frame was in flight
        }
        guard stream.request == nil, stream.task == nil, endStream else {
            let got =
                stream.request == nil && stream.task == nil ? "more after this one (END_STREAM not set)" : "a second"
            return finish(
                stream.id,
                status: RPCError(.internal, "\(stream.context.method) expects one request message, got \(got)")
            )
        }
        machine?.requestReceived(id)
        stream.request = payload
        start(stream)
    }

    /// Whether a frame's payload, from its header, is worth buffering (``FrameDecoder/admits``).
    /// Every frame the server keeps is bounded by what its type may carry: a request by
    /// ``RPCServerLimits/maxRequestSize``, control frames by §4. A request larger than that, or
    /// for a call that has already ended (it was in flight), or a frame of a type this version
    /// does not know, is read past; a MESSAGE on a stream never opened is a violation.
    func admits(_ header: FrameHeader) throws(ProtocolViolation) -> Bool {
        guard try validator.admits(header, maxControlSize: configuration.maxHeaderSize) else { return false }
        guard header.type == .message else { return true }
        guard streams[header.streamID] != nil else {
            guard header.streamID <= highestStreamID else {
                throw ProtocolViolation("MESSAGE on stream \(header.streamID), which was never opened")
            }
            return false
        }
        return Int(header.length) <= limits.maxRequestSize
    }

    /// A request turned down from its header (``admits(_:)``): its call, if still open,
    /// ends now. Reading past the payload still costs decrypting every byte of it, so when no
    /// other call is open on the connection (nothing the client would lose), the connection
    /// closes instead.
    func refuseOversizedRequest(_ header: FrameHeader) {
        guard let stream = streams[header.streamID] else { return }
        let message =
            "the request of \(header.length) bytes exceeds this server's limit of \(limits.maxRequestSize) bytes for a request"
        finish(stream.id, status: RPCError(.resourceExhausted, message))
        if streams.isEmpty {
            connectionError(
                .resourceExhausted,
                message + "; the connection closes rather than read it",
                cause: .oversizedRequest
            )
        } else {
            noteAbuse(.oversizedRequest, "a request of \(header.length) bytes to \(stream.context.method)")
        }
    }

    func cancelCall(_ id: UInt32) {
        guard let stream = removeStream(id) else { return }
        stream.stop(RPCError(.cancelled, "the client cancelled the call"))
    }

    func handleOversizedHeaders(_ header: FrameHeader) {
        if header.type == .cancel, header.streamID != 0 {
            // Its reason was too long to read, but a CANCEL still cancels.
            return cancelCall(header.streamID)
        }
        guard header.type == .headers, header.streamID % 2 == 1, header.streamID > highestStreamID else {
            return connectionError(
                .internal,
                "\(header.type) of \(header.length) bytes on stream \(header.streamID) exceeds max_header_size",
                cause: .protocolViolation
            )
        }
        highestStreamID = header.streamID
        noteAbuse(.oversizedHeaders, "call metadata of \(header.length) bytes")
        refuse(
            header.streamID,
            .resourceExhausted,
            "call metadata of \(header.length) bytes exceeds the max_header_size of \(configuration.maxHeaderSize); send less metadata"
        )
    }

    private static func isValidMetadataKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 128
            && key.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E
            }
    }
}
