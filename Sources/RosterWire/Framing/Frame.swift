public import NIOCore

/// One frame of the Roster protocol: a 10-byte header and a payload (PROTOCOL.md §3).
///
/// Header layout, big-endian: payload length (u32, offset 0), type (u8, offset 4), flags (u8,
/// offset 5), stream id (u32, offset 6; the high bit is reserved).
public struct Frame: Sendable, Hashable {
    /// Bytes in a frame header.
    public static let headerSize = 10

    public var type: FrameType
    public var flags: FrameFlags
    /// 0 for the connection, odd numbers for calls.
    public var streamID: UInt32
    public var payload: ByteBuffer

    public init(type: FrameType, flags: FrameFlags = [], streamID: UInt32, payload: ByteBuffer = ByteBuffer()) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.payload = payload
    }

    /// Appends the header and payload to `buffer`.
    public func write(to buffer: inout ByteBuffer) {
        Self.writeHeader(
            FrameHeader(length: UInt32(payload.readableBytes), type: type, flags: flags, streamID: streamID),
            to: &buffer
        )
        buffer.writeImmutableBuffer(payload)
    }

    /// Appends a frame whose payload is `message`, encoding it straight into `buffer`.
    ///
    /// - Parameter encodedSize: the message's size when the caller has already computed it.
    @inlinable
    public static func write<M: ProtoMessage>(
        _ type: FrameType,
        flags: FrameFlags = [],
        streamID: UInt32,
        message: M,
        encodedSize: Int? = nil,
        to buffer: inout ByteBuffer
    ) {
        let size = encodedSize ?? message.encodedSize
        buffer.reserveCapacity(minimumWritableBytes: headerSize + size)
        writeHeader(FrameHeader(length: UInt32(size), type: type, flags: flags, streamID: streamID), to: &buffer)
        message.encode(into: &buffer, encodedSize: size)
    }

    /// Appends a frame header.
    @inlinable
    public static func writeHeader(_ header: FrameHeader, to buffer: inout ByteBuffer) {
        buffer.writeMultipleIntegers(
            header.length,
            header.type.rawValue,
            header.flags.rawValue,
            header.streamID & 0x7FFF_FFFF
        )
    }
}

/// A frame header on its own: what a decoder knows before it has read the payload.
public struct FrameHeader: Sendable, Hashable {
    /// Payload bytes after the header.
    public var length: UInt32
    public var type: FrameType
    public var flags: FrameFlags
    public var streamID: UInt32

    public init(length: UInt32, type: FrameType, flags: FrameFlags, streamID: UInt32) {
        self.length = length
        self.type = type
        self.flags = flags
        self.streamID = streamID
    }
}

/// The frame types of PROTOCOL.md §4. Open: an unknown type is carried, and ignored by the runtime.
public struct FrameType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Connection settings (payload `roster.rpc.v1.Settings`), or their acknowledgement.
    public static let settings = Self(rawValue: 0x00)
    /// Opens a call (payload `roster.rpc.v1.CallHeaders`).
    public static let headers = Self(rawValue: 0x01)
    /// One whole protobuf message of a call.
    public static let message = Self(rawValue: 0x02)
    /// Ends a call (payload `roster.rpc.v1.Status`).
    public static let trailers = Self(rawValue: 0x03)
    /// Abandons a call (payload empty or `roster.rpc.v1.Status`).
    public static let cancel = Self(rawValue: 0x04)
    /// Returns flow-control credit (payload: u32 increment).
    public static let windowUpdate = Self(rawValue: 0x05)
    /// Liveness check (payload: 8 opaque bytes).
    public static let ping = Self(rawValue: 0x06)
    /// No new calls on this connection (payload `roster.rpc.v1.GoAway`).
    public static let goAway = Self(rawValue: 0x07)

    /// Whether this version of the protocol defines the type (§4); others are skipped (§15).
    public var isKnown: Bool { rawValue <= Self.goAway.rawValue }

    public var description: String {
        switch self {
        case .settings: "SETTINGS"
        case .headers: "HEADERS"
        case .message: "MESSAGE"
        case .trailers: "TRAILERS"
        case .cancel: "CANCEL"
        case .windowUpdate: "WINDOW_UPDATE"
        case .ping: "PING"
        case .goAway: "GOAWAY"
        default: "UNKNOWN(0x\(String(rawValue, radix: 16)))"
        }
    }
}

/// Frame flags. Unknown bits are carried and ignored.
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// On HEADERS or MESSAGE: the sender's last frame on this stream (half-close). Always set on TRAILERS.
    public static let endStream = Self(rawValue: 0x01)
    /// On SETTINGS and PING: this frame answers the peer's.
    public static let ack = Self(rawValue: 0x01)
}

/// The 12 bytes a client sends before anything else: `ROSTER/1\r\n\r\n`.
public enum ConnectionPreface {
    public static let bytes: [UInt8] = Array("ROSTER/1\r\n\r\n".utf8)
}
