internal import NIOCore
internal import RosterWire

/// Which side of a connection reads the frames being checked.
enum ConnectionRole: Sendable {
    case server
    case client
}

/// A frame that passed PROTOCOL.md §4: right stream, right direction, right size, and a valid
/// control payload. Call payloads (HEADERS, MESSAGE, TRAILERS) stay undecoded: a bad one fails
/// only its call, which is the connection's business.
enum InboundFrame {
    case settings(RPCMessages.Settings)
    case settingsAck
    /// A client opening a call (servers only); the payload is the undecoded `CallHeaders`.
    case headers(streamID: UInt32, payload: ByteBuffer, endStream: Bool)
    case message(streamID: UInt32, payload: ByteBuffer, endStream: Bool)
    /// A server ending a call (clients only); the payload is the undecoded `Status`.
    case trailers(streamID: UInt32, payload: ByteBuffer)
    /// The reason, when the peer gave one.
    case cancel(streamID: UInt32, reason: RPCMessages.Status?)
    case windowUpdate(streamID: UInt32, increment: UInt32)
    case ping(ByteBuffer)
    case pingAck
    case goAway(RPCMessages.GoAway)
    /// A frame type this version does not know: skipped (§4, §15).
    case unknown
}

/// PROTOCOL.md §4 in one place, for both roles: which stream each frame type belongs on, which
/// side may send it, its payload size, and whether its control payload decodes. A violation is a
/// connection error (GOAWAY 13 INTERNAL) whose message names the frame.
struct FrameValidator {
    /// The side reading the frames.
    let role: ConnectionRole

    /// The rules of §4 that a frame's header alone decides, checked before any of its payload is
    /// buffered (``validate(_:)`` checks them again with the rest): the fixed sizes of PING,
    /// WINDOW_UPDATE and SETTINGS ACK, SETTINGS and GOAWAY of at most `maxControlSize` bytes
    /// (the receiver's `max_header_size`), no MESSAGE on stream 0. Returns false for a frame
    /// type this version does not know: it is read past unbuffered (§15).
    func admits(_ header: FrameHeader, maxControlSize: Int) throws(ProtocolViolation) -> Bool {
        guard header.type.isKnown else { return false }
        let size = Int(header.length)
        if let violation = Self.sizeViolation(header.type, header.flags, streamID: header.streamID, size: size) {
            throw violation
        }
        if header.type == .settings || header.type == .goAway, size > maxControlSize {
            throw ProtocolViolation(
                "\(header.type) payload of \(size) bytes exceeds the max_header_size of \(maxControlSize)"
            )
        }
        return true
    }

    /// The violations a frame's type, flags, stream and size show on their own.
    private static func sizeViolation(_ type: FrameType, _ flags: FrameFlags, streamID id: UInt32, size: Int)
        -> ProtocolViolation?
    {
        switch type {
        case .settings where flags.contains(.ack) && size != 0:
            ProtocolViolation("SETTINGS ACK with a payload of \(size) bytes; it must be empty")
        case .message where id == 0:
            ProtocolViolation("MESSAGE on stream 0; it belongs on a call's stream")
        case .windowUpdate where id == 0 || size != 4:
            ProtocolViolation(
                "WINDOW_UPDATE must carry a 4-byte increment on a call's stream (stream \(id), \(size) bytes)"
            )
        case .ping where id != 0 || size != 8:
            ProtocolViolation("PING must carry 8 bytes on stream 0 (stream \(id), \(size) bytes)")
        default:
            nil
        }
    }

    func validate(_ frame: Frame) throws(ProtocolViolation) -> InboundFrame {
        let id = frame.streamID
        let size = frame.payload.readableBytes
        if let violation = Self.sizeViolation(frame.type, frame.flags, streamID: id, size: size) { throw violation }
        switch frame.type {
        case .settings:
            guard id == 0 else { throw ProtocolViolation("SETTINGS on stream \(id); it belongs on stream 0") }
            if frame.flags.contains(.ack) { return .settingsAck }
            return .settings(try decode(RPCMessages.Settings.self, frame, "SETTINGS"))
        case .headers:
            guard role == .server else {
                throw ProtocolViolation("HEADERS sent by a server; only clients send HEADERS")
            }
            guard id % 2 == 1 else { throw ProtocolViolation("HEADERS on stream \(id); clients open odd stream ids") }
            return .headers(streamID: id, payload: frame.payload, endStream: frame.flags.contains(.endStream))
        case .message:
            return .message(streamID: id, payload: frame.payload, endStream: frame.flags.contains(.endStream))
        case .trailers:
            guard role == .client else {
                throw ProtocolViolation("TRAILERS sent by a client; only servers send TRAILERS")
            }
            guard id != 0 else { throw ProtocolViolation("TRAILERS on stream 0; it belongs on a call's stream") }
            return .trailers(streamID: id, payload: frame.payload)
        case .cancel:
            guard id != 0 else { throw ProtocolViolation("CANCEL on stream 0; it belongs on a call's stream") }
            let reason = size > 0 ? try decode(RPCMessages.Status.self, frame, "CANCEL") : nil
            return .cancel(streamID: id, reason: reason)
        case .windowUpdate:
            let increment = frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt32.self) ?? 0
            guard increment > 0 else { throw ProtocolViolation("WINDOW_UPDATE with an increment of 0") }
            return .windowUpdate(streamID: id, increment: increment)
        case .ping:
            return frame.flags.contains(.ack) ? .pingAck : .ping(frame.payload)
        case .goAway:
            guard id == 0 else { throw ProtocolViolation("GOAWAY on stream \(id); it belongs on stream 0") }
            return .goAway(try decode(RPCMessages.GoAway.self, frame, "GOAWAY"))
        default:
            return .unknown
        }
    }

    private func decode<M: ProtoMessage>(_ type: M.Type, _ frame: Frame, _ name: String) throws(ProtocolViolation) -> M
    {
        do {
            return try M(decoding: frame.payload)
        } catch {
            throw ProtocolViolation("\(name) payload is not a valid \(M.protoMessageName): \(error)")
        }
    }
}
