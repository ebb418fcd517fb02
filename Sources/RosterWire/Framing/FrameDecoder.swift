public import NIOCore

/// Splits a byte stream into frames, enforcing size limits from the header before buffering.
///
/// On the server side it first checks the client's connection preface byte by byte, so a stranger
/// on the port is refused on its first wrong byte. A frame longer than `maxFrameSize` is an error
/// as soon as its header is seen; a HEADERS, TRAILERS or CANCEL frame longer than `maxHeaderSize` (but
/// within `maxFrameSize`) is read past without being kept, and so is any other frame that
/// ``admits`` turns down from its header (a request larger than its call may take, a frame type
/// this version does not know): ``Event/skipping(_:)`` when its header is read,
/// ``Event/skipped(_:)`` once its payload has gone by, so the runtime can fail just that call.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    /// What the decoder produces.
    public enum Event: Sendable, Hashable {
        /// A whole frame.
        case frame(Frame)
        /// A frame whose payload is about to be read past unbuffered (a header block over
        /// `maxHeaderSize`, or a frame ``admits`` turned down); ``skipped(_:)`` follows
        /// once the payload has gone by, possibly several reads later.
        case skipping(FrameHeader)
        /// The end of a frame announced by ``skipping(_:)``: its payload was discarded unread.
        case skipped(FrameHeader)
    }

    /// The receiver's limits, as announced in its SETTINGS.
    public struct Limits: Sendable, Hashable {
        /// Largest frame payload accepted. Default 4 MiB.
        public var maxFrameSize: Int
        /// Largest HEADERS, TRAILERS or CANCEL payload accepted. Default 16 KiB.
        public var maxHeaderSize: Int

        public init(maxFrameSize: Int = 4 * 1024 * 1024, maxHeaderSize: Int = 16 * 1024) {
            self.maxFrameSize = maxFrameSize
            self.maxHeaderSize = maxHeaderSize
        }
    }

    public typealias InboundOut = Event

    private enum State {
        case preface(matched: Int)
        case header
        case skipping(FrameHeader, remaining: Int)
    }

    public var limits: Limits
    /// Asked for every frame but HEADERS, TRAILERS and CANCEL (bounded by `maxHeaderSize`), from
    /// its header alone, before any of its payload is buffered: `false` reads the payload past
    /// without keeping it; an error ends decoding with that error. Unset, every frame is kept.
    public var admits: ((FrameHeader) throws -> Bool)?
    private var state: State

    /// - Parameter expectsPreface: true on the server, which must see the client's preface first.
    public init(limits: Limits = Limits(), expectsPreface: Bool, admits: ((FrameHeader) throws -> Bool)? = nil) {
        self.limits = limits
        self.admits = admits
        self.state = expectsPreface ? .preface(matched: 0) : .header
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> Event? {
        while true {
            switch state {
            case .preface(let matched):
                let preface = ConnectionPreface.bytes
                let available = min(buffer.readableBytes, preface.count - matched)
                guard available > 0 else { return nil }
                for index in 0..<available {
                    let byte = buffer.getInteger(at: buffer.readerIndex + index, as: UInt8.self)!
                    guard byte == preface[matched + index] else {
                        throw FrameDecodingError(.badPreface, offset: matched + index)
                    }
                }
                buffer.moveReaderIndex(forwardBy: available)
                guard matched + available == preface.count else {
                    state = .preface(matched: matched + available)
                    return nil
                }
                state = .header

            case .header:
                guard
                    let (length, rawType, rawFlags, streamID) = buffer.getMultipleIntegers(
                        at: buffer.readerIndex,
                        as: (UInt32, UInt8, UInt8, UInt32).self
                    )
                else { return nil }
                let header = FrameHeader(
                    length: length,
                    type: FrameType(rawValue: rawType),
                    flags: FrameFlags(rawValue: rawFlags),
                    streamID: streamID & 0x7FFF_FFFF
                )
                guard UInt64(length) <= UInt64(limits.maxFrameSize) else {
                    throw FrameDecodingError(.frameTooLarge(header, limit: limits.maxFrameSize), offset: nil)
                }
                if try skips(header) {
                    buffer.moveReaderIndex(forwardBy: Frame.headerSize)
                    state = .skipping(header, remaining: Int(length))
                    return .skipping(header)
                }
                guard buffer.readableBytes >= Frame.headerSize + Int(length) else { return nil }
                buffer.moveReaderIndex(forwardBy: Frame.headerSize)
                let payload = buffer.readSlice(length: Int(length))!
                return .frame(
                    Frame(type: header.type, flags: header.flags, streamID: header.streamID, payload: payload)
                )

            case .skipping(let header, let remaining):
                let step = min(remaining, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: step)
                guard step == remaining else {
                    state = .skipping(header, remaining: remaining - step)
                    return nil
                }
                state = .header
                return .skipped(header)
            }
        }
    }

    private func skips(_ header: FrameHeader) throws -> Bool {
        switch header.type {
        case .headers, .trailers, .cancel: Int(header.length) > limits.maxHeaderSize
        default: try admits.map { try !$0(header) } ?? false
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Event? {
        try decode(buffer: &buffer)
    }
}

/// Why the byte stream could not be split into frames. Both cases end the connection.
public struct FrameDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Reason: Hashable, Sendable {
        /// The client's first bytes were not `ROSTER/1\r\n\r\n`.
        case badPreface
        /// A frame header declared a payload over the limit.
        case frameTooLarge(FrameHeader, limit: Int)
    }

    public var reason: Reason
    /// For ``Reason/badPreface``: the index of the first wrong byte.
    public var offset: Int?

    public init(_ reason: Reason, offset: Int?) {
        self.reason = reason
        self.offset = offset
    }

    public var description: String {
        switch reason {
        case .badPreface:
            "expected the Roster preface \"ROSTER/1\\r\\n\\r\\n\" (byte \(offset ?? 0) differs); is this a Roster client?"
        case .frameTooLarge(let header, let limit):
            "\(header.type) frame payload of \(header.length) bytes exceeds the max_frame_size of \(limit)"
        }
    }
}
