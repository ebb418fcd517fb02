internal import NIOCore
internal import RosterWire

/// Frames waiting to be written on one connection, written together at the next flush point.
/// Confined to the connection's event loop.
///
/// Frames are encoded straight into one `ByteBuffer`. A flush happens at the end of a read burst
/// (`channelReadComplete`), or on the next event-loop tick when frames were added outside a read,
/// or at once when 64 KiB are waiting, so many small frames cost one write and one TLS record.
final class FrameWriter {
    /// Waiting bytes that trigger an immediate flush.
    static let flushThreshold = 64 * 1024

    private var buffer = ByteBufferAllocator().buffer(capacity: 1024)
    private var context: ChannelHandlerContext?
    private var flushScheduled = false
    /// True between `channelRead` and `channelReadComplete`, which flushes.
    var inReadBurst = false

    /// Starts writing to `context`; called from the handler's `handlerAdded`.
    func attach(to context: ChannelHandlerContext) {
        self.context = context
    }

    /// Bytes waiting to be written.
    var pendingBytes: Int { buffer.readableBytes }

    func append<M: ProtoMessage>(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, message: M, encodedSize: Int? = nil) {
        Frame.write(type, flags: flags, streamID: streamID, message: message, encodedSize: encodedSize, to: &buffer)
    }

    func append(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, bytes: some Collection<UInt8>) {
        Frame.writeHeader(FrameHeader(length: UInt32(bytes.count), type: type, flags: flags, streamID: streamID), to: &buffer)
        buffer.writeBytes(bytes)
    }

    /// Appends bytes that are not a frame (the client preface).
    func appendRaw(_ bytes: [UInt8]) {
        buffer.writeBytes(bytes)
    }

    /// Flushes at the end of the current read burst, or on the next loop tick.
    func flushSoon() {
        guard !inReadBurst, !flushScheduled, let context else { return }
        flushScheduled = true
        context.eventLoop.assumeIsolated().execute { [weak self] in
            guard let self else { return }
            self.flushScheduled = false
            self.flushNow()
        }
    }

    /// Writes and flushes whatever is waiting.
    func flushNow() {
        guard buffer.readableBytes > 0, let context else { return }
        let bytes = buffer
        // The taken bytes are still being written; start a small buffer rather than copying.
        buffer = context.channel.allocator.buffer(capacity: 1024)
        context.writeAndFlush(NIOAny(bytes), promise: nil)
    }
}
