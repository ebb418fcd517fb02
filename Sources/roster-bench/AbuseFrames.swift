import NIOCore
import RosterWire

/// The bytes the probes send (PROTOCOL.md §2–§4), built with RosterWire's frames and messages.
enum AbuseFrames {
    /// The largest frame payload the server accepts by default (`max_frame_size`).
    static let maxFrameSize = 4 * 1024 * 1024
    /// rosterd's default `--max-request-bytes`: the largest request it buffers.
    static let maxRequestSize = 64 * 1024
    /// The largest HEADERS payload the server accepts by default (`max_header_size`).
    static let maxHeaderSize = 16 * 1024

    /// A client's opening: the preface and an empty SETTINGS.
    static let opening: ByteBuffer = {
        var buffer = ByteBuffer(bytes: ConnectionPreface.bytes)
        Frame(type: .settings, streamID: 0).write(to: &buffer)
        return buffer
    }()

    /// HEADERS opening `stream` for `method`.
    static func headers(_ stream: UInt32, _ method: String, metadata: [String: String]) -> ByteBuffer {
        var buffer = ByteBuffer()
        Frame.write(
            .headers,
            streamID: stream,
            message: RPCMessages.CallHeaders(method: method, metadata: metadata),
            to: &buffer
        )
        return buffer
    }

    /// A whole unary call: HEADERS, then the request in a MESSAGE with END_STREAM.
    static func call(_ stream: UInt32, _ method: String, metadata: [String: String], request: some ProtoMessage)
        -> ByteBuffer
    {
        var buffer = headers(stream, method, metadata: metadata)
        Frame.write(.message, flags: .endStream, streamID: stream, message: request, to: &buffer)
        return buffer
    }

    /// HEADERS whose payload is `size` bytes (at most): `metadata` plus an `x-pad` entry filling the rest.
    static func paddedHeaders(_ stream: UInt32, _ method: String, metadata: [String: String], size: Int = maxHeaderSize)
        -> ByteBuffer
    {
        var headers = RPCMessages.CallHeaders(method: method, metadata: metadata)
        headers.metadata["x-pad"] = ""
        var padding = max(size - headers.encodedSize, 0)
        // Length varints grow with the padding: converge on the exact size (or just under it).
        for _ in 0..<4 {
            headers.metadata["x-pad"] = String(repeating: "p", count: padding)
            let excess = headers.encodedSize - size
            if excess == 0 { break }
            padding = max(padding - excess, 0)
        }
        while headers.encodedSize > size && padding > 0 {
            padding -= 1
            headers.metadata["x-pad"] = String(repeating: "p", count: padding)
        }
        var buffer = ByteBuffer()
        Frame.write(.headers, streamID: stream, message: headers, to: &buffer)
        return buffer
    }

    /// A MESSAGE on stream 1 (END_STREAM) of exactly `maxFrameSize` payload bytes: a valid
    /// `GetStatusRequest` carrying one unknown bytes field (field 15) that fills the frame.
    static let maxMessage: ByteBuffer = {
        let fieldLength = maxFrameSize - 1 - 4  // tag byte, 4-byte length varint
        var buffer = ByteBuffer()
        buffer.reserveCapacity(Frame.headerSize + maxFrameSize)
        Frame.writeHeader(
            FrameHeader(length: UInt32(maxFrameSize), type: .message, flags: .endStream, streamID: 1),
            to: &buffer
        )
        buffer.writeInteger(UInt8(15 << 3 | 2))
        var length = UInt32(fieldLength)
        for _ in 0..<4 {
            buffer.writeInteger(UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0))
            length >>= 7
        }
        buffer.writeRepeatingByte(UInt8(ascii: "r"), count: fieldLength)
        precondition(buffer.readableBytes == Frame.headerSize + maxFrameSize)
        return buffer
    }()

    /// A frame header alone, declaring `length` payload bytes that may never follow.
    static func header(_ type: FrameType, stream: UInt32, length: UInt32, flags: FrameFlags = []) -> ByteBuffer {
        var buffer = ByteBuffer()
        Frame.writeHeader(FrameHeader(length: length, type: type, flags: flags, streamID: stream), to: &buffer)
        return buffer
    }

    /// `count` PINGs (not ACKs), numbered from `first`.
    static func pings(_ count: Int, first: UInt64 = 0) -> ByteBuffer {
        var buffer = ByteBuffer()
        for index in 0..<UInt64(count) {
            var payload = ByteBuffer()
            payload.writeInteger(first + index)
            Frame(type: .ping, streamID: 0, payload: payload).write(to: &buffer)
        }
        return buffer
    }
}
