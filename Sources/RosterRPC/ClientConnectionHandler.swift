internal import NIOCore
internal import RosterTLS
internal import RosterWire

/// The client side of one Roster connection: opens streams, sends requests, routes responses
/// and trailers to waiting calls, returns flow-control credit, answers and sends PINGs, honours
/// GOAWAY. Confined to its channel's event loop. This file holds its state, its life in the
/// pipeline and keepalive; `+Calls` starts and ends calls, `+Frames` reads the server's frames.
/// Decisions on admission and keepalive are `ClientConnectionMachine`'s.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Where a call's response goes.
    enum Receiver {
        /// A unary call: the one response message, then the status.
        case unary(CheckedContinuation<ByteBuffer, any Error>, response: ByteBuffer?)
        /// A server-streaming call: every message into a buffer the caller drains.
        case streaming(ResponseStreamBuffer)
    }

    final class Stream {
        let id: UInt32
        var receiver: Receiver
        var deadlineTimer: Scheduled<Void>?
        /// HEADERS and MESSAGE, encoded, while the call waits for one of the server's streams.
        var waitingRequest: ByteBuffer?

        init(id: UInt32, receiver: Receiver) {
            self.id = id
            self.receiver = receiver
        }
    }

    private let clientConfiguration: RPCClientConnection.Configuration
    var configuration: RPCConnectionLimits { clientConfiguration.connection }
    /// Set between `handlerAdded` and `handlerRemoved` only (holding it longer is a reference
    /// cycle that keeps the connection in memory for good).
    var context: ChannelHandlerContext?
    let writer = FrameWriter()
    let validator = FrameValidator(role: .client)
    var peerSettings = PeerSettings()
    var streams: [UInt32: Stream] = [:]
    /// Keepalive and stream admission decisions; set in `handlerAdded`.
    var machine: ClientConnectionMachine?
    var nextStreamID: UInt32 = 1
    /// Why no new calls may start here, once that is so.
    var closedReason: RPCError? {
        didSet { if closedReason != nil { onUnusable?() } }
    }
    /// Told once new calls can no longer start here (GOAWAY, error, close).
    var onUnusable: (@Sendable () -> Void)?
    private var keepaliveTimer: Scheduled<Void>?
    var closingGracefully = false
    /// Completed by the server's first SETTINGS; failed if the connection ends before it.
    var ready: EventLoopPromise<Void>?
    /// Splits bytes into frames right here, so frames are never boxed into `NIOAny`.
    var frames: NIOSingleStepByteToMessageProcessor<FrameDecoder>

    init(configuration: RPCClientConnection.Configuration, ready: EventLoopPromise<Void>?) {
        self.clientConfiguration = configuration
        self.ready = ready
        let validator = FrameValidator(role: .client)
        let maxControlSize = configuration.connection.maxHeaderSize
        self.frames = NIOSingleStepByteToMessageProcessor(
            FrameDecoder(
                limits: .init(
                    maxFrameSize: configuration.connection.maxFrameSize,
                    maxHeaderSize: configuration.connection.maxHeaderSize
                ),
                expectsPreface: false
            ) { header in
                // §4's size rules from the header alone: nothing is buffered for a frame that breaks them.
                try validator.admits(header, maxControlSize: maxControlSize)
            }
        )
    }

    /// Whether new calls can start on this connection.
    var isUsable: Bool { closedReason == nil }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        machine = ClientConnectionMachine(limits: .init(clientConfiguration), now: context.eventLoop.now)
        writer.attach(to: context)
        writer.appendRaw(ConnectionPreface.bytes)
        writer.append(.settings, streamID: 0, message: configuration.settingsMessage)
        writer.flushNow()
        // Keepalive starts once the connection is up; before that the connect timeout applies.
        if context.channel.isActive { armKeepalive(after: machine?.firstKeepaliveCheck) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        keepaliveTimer?.cancel()
        keepaliveTimer = nil
        failAll(closedReason ?? RPCError(.unavailable, "the connection closed"))
        writer.detach()
        self.context = nil
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        writer.isChannelWritable = context.channel.isWritable
        context.fireChannelWritabilityChanged()
    }

    func channelActive(context: ChannelHandlerContext) {
        machine?.frameReceived(now: context.eventLoop.now)
        armKeepalive(after: machine?.firstKeepaliveCheck)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepaliveTimer?.cancel()
        let reason = closedReason ?? RPCError(.unavailable, "the server closed the connection")
        closedReason = reason
        failReady(reason)
        failAll(reason)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason: RPCError
        switch error {
        case let error as TLSError:
            reason = RPCError(.unavailable, error.description, metadata: [RPCError.tlsErrorCodeKey: "\(error.code)"])
        case let error as FrameDecodingError: reason = RPCError(.internal, "the server broke the protocol: \(error)")
        default: reason = RPCError(.unavailable, "connection error: \(error)")
        }
        if closedReason == nil { closedReason = reason }
        failReady(reason)
        failAll(reason)
        context.close(promise: nil)
    }

    func failReady(_ error: RPCError) {
        ready?.fail(error)
        ready = nil
    }

    // MARK: - Keepalive

    /// Checks for silence every keepalive interval (not per frame, so reading stays cheap).
    func armKeepalive(after delay: TimeAmount?) {
        keepaliveTimer?.cancel()
        guard let delay, let context else { return }
        keepaliveTimer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [weak self] in
            self?.keepaliveTimerFired()
        }
    }

    private func keepaliveTimerFired() {
        guard let context, context.channel.isActive else { return }  // closed: nothing to keep alive
        switch machine?.keepaliveTimerFired(now: context.eventLoop.now) {
        case .wait(let delay):
            armKeepalive(after: delay)
        case .ping(let delay):
            writer.append(.ping, streamID: 0, bytes: [UInt8](repeating: 0, count: 8))
            writer.flushNow(evenIfUnwritable: true)
            armKeepalive(after: delay)
        case .close(let reason):
            closedReason = reason
            context.close(promise: nil)
        case nil:
            break
        }
    }
}
