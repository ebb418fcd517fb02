internal import NIOCore
internal import RosterWire

/// Frames waiting to be written on one connection, written together at the next flush point.
/// Confined to the connection's event loop.
///
/// Frames are encoded straight into one `ByteBuffer`. A flush happens at the end of a read burst
/// (`channelReadComplete`), or on the next event-loop tick when frames were added outside a read,
/// or at once when 64 KiB are waiting, so many small frames cost one write and one TLS record.
///
/// While the channel is not writable (its outbound buffer is over the high-water mark) nothing is
/// written: frames wait here, counted, until the peer reads and the channel drains. The owner
/// bounds what waits (``pendingBytes``, ``heldCalls``) and closes the connection past it.
final class FrameWriter {
    /// Waiting bytes that trigger an immediate flush.
    static let flushThreshold = 64 * 1024

    private var buffer = ByteBufferAllocator().buffer(capacity: 1024)
    private var context: ChannelHandlerContext?
    private var flushScheduled = false
    /// True between `channelRead` and `channelReadComplete`, which flushes.
    var inReadBurst = false
    /// False while the channel is not writable: frames are held, not written.
    var isChannelWritable = true {
        didSet { if isChannelWritable, !oldValue { flushNow() } }
    }
    /// Calls whose TRAILERS wait here, unsent, since the last write.
    private(set) var heldCalls = 0

    /// Starts writing to `context`; called from the handler's `handlerAdded`.
    func attach(to context: ChannelHandlerContext) {
        self.context = context
    }

    /// Stops writing and lets go of the context and the waiting bytes; called from the
    /// handler's `handlerRemoved`, which breaks the handler ↔ context reference cycle.
    func detach() {
        context = nil
        buffer = ByteBuffer()
        heldCalls = 0
    }

    /// Bytes the channel holds, written but not yet on the socket (0 where the channel cannot say).
    var channelBufferedBytes: Int {
        guard let context, let options = context.channel.syncOptions else { return 0 }
        return (try? options.getOption(.bufferedWritableBytes)) ?? 0
    }

    /// Bytes waiting to be written.
    var pendingBytes: Int { buffer.readableBytes }

    func append<M: ProtoMessage>(
        _ type: FrameType,
        flags: FrameFlags = [],
        streamID: UInt32,
        message: M,
        encodedSize: Int? = nil
    ) {
        Frame.write(type, flags: flags, streamID: streamID, message: message, encodedSize: encodedSize, to: &buffer)
        if type == .trailers { heldCalls += 1 }
    }

    func append(_ type: FrameType, flags: FrameFlags = [], streamID: UInt32, bytes: some Collection<UInt8>) {
        Frame.writeHeader(
            FrameHeader(length: UInt32(bytes.count), type: type, flags: flags, streamID: streamID),
            to: &buffer
        )
        buffer.writeBytes(bytes)
    }

    /// Appends bytes that are not a frame (the client preface).
    func appendRaw(_ bytes: [UInt8]) {
        buffer.writeBytes(bytes)
    }

    /// Appends frames encoded earlier (a call that waited for a stream).
    func appendRaw(_ frames: inout ByteBuffer) {
        buffer.writeBuffer(&frames)
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

    /// Writes and flushes whatever is waiting, unless the channel is not writable.
    /// - Parameter evenIfUnwritable: write anyway (a GOAWAY before closing).
    func flushNow(evenIfUnwritable: Bool = false) {
        guard buffer.readableBytes > 0, let context, isChannelWritable || evenIfUnwritable else { return }
        heldCalls = 0
        let bytes = buffer
        // The taken bytes are still being written; start a small buffer rather than copying.
        buffer = context.channel.allocator.buffer(capacity: 1024)
        context.writeAndFlush(NIOAny(bytes), promise: nil)
    }
}
