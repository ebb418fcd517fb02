internal import NIOCore
internal import RosterWire

/// Frames waiting to be written on one connection, written together at the next flush point.
///
/// Frames are encoded straight into one `ByteBuffer`. A flush happens at the end of a read burst
/// (`channelReadComplete`), or on the next event-loop tick when frames were added outside a read,
/// or at once when 64 KiB are waiting, so many small frames cost one write and one TLS record.
struct FrameOutput {
    /// Waiting bytes that trigger an immediate flush.
    static let flushThreshold = 64 * 1024

    var buffer: ByteBuffer
    var inReadBurst = false
    var flushScheduled = false

    init(allocator: ByteBufferAllocator) {
        buffer = allocator.buffer(capacity: 1024)
    }

    mutating func append<M: ProtoMessage>(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, message: M) {
        Frame.write(type, flags: flags, streamID: streamID, message: message, to: &buffer)
    }

    mutating func append(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, bytes: some Collection<UInt8>) {
        Frame.writeHeader(FrameHeader(length: UInt32(bytes.count), type: type, flags: flags, streamID: streamID), to: &buffer)
        buffer.writeBytes(bytes)
    }

    /// Takes the waiting bytes, if any.
    mutating func take() -> ByteBuffer? {
        guard buffer.readableBytes > 0 else { return nil }
        let taken = buffer
        // The taken bytes are still being written; start a small buffer rather than copying.
        buffer = ByteBufferAllocator().buffer(capacity: 1024)
        return taken
    }
}
