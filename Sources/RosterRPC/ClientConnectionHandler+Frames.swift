internal import NIOCore
internal import RosterWire

// Reading the server's frames and routing them to the calls.
extension ClientConnectionHandler {
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        writer.inReadBurst = true
        machine?.frameReceived(now: context.eventLoop.now)
        do {
            try frames.process(buffer: unwrapInboundIn(data)) { event in
                switch event {
                case .frame(let frame):
                    handle(frame)
                case .skipping(let header):
                    if header.type.isKnown { handleSkipped(header) }  // unknown types are read past (§15)
                case .skipped:
                    break  // the call was ended when the skip began
                }
            }
        } catch {
            protocolError("the server broke the protocol: \(error)")
        }
    }

    func handleSkipped(_ header: FrameHeader) {
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

    func handle(_ frame: Frame) {
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

    func complete(_ receiver: Receiver, status: RPCMessages.Status) {
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

    func fail(_ receiver: Receiver, _ error: RPCError) {
        switch receiver {
        case .unary(let continuation, _): continuation.resume(throwing: error)
        case .streaming(let buffer): buffer.finish(error)
        }
    }

    func failAll(_ error: RPCError) {
        let all = streams.values
        streams.removeAll()
        machine?.closed()
        for stream in all {
            stream.deadlineTimer?.cancel()
            fail(stream.receiver, error)
        }
    }

    func protocolError(_ message: String) {
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
}

extension RPCError.Code {
    /// A code received from the peer: one this side does not know, negative included, is 2 UNKNOWN (§7).
    fileprivate init(wire rawValue: Int32) {
        self.init(rawValue: (0...16).contains(rawValue) ? rawValue : RPCError.Code.unknown.rawValue)
    }
}
