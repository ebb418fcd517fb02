import NIOCore
import NIOPosix
import RosterTLS
import RosterWire
import Synchronization

/// A socket to the server that writes exactly the bytes it is given, over RosterTLS's handler or
/// in plaintext (or bare TCP that never speaks), and scans what comes back frame by frame.
final class RawConnection: Sendable {
    /// How the connection behaves.
    enum Mode: Sendable {
        /// TLS when the target uses it; reads and scans everything, ACKs the server's SETTINGS.
        case speaking
        /// Like `speaking`, but stops reading the socket once TLS is up (at once in plaintext), and
        /// writes nothing of its own: no SETTINGS ACK (after the server has closed, one would draw
        /// a reset that discards what is still to be read).
        case notReading
        /// TCP only: no TLS handshake, nothing written.
        case silent
    }

    /// What the client has seen of the server so far.
    struct Observation: Sendable {
        var scanner = FrameScanner()
        /// When the connection closed, by either side.
        var closedAt: ContinuousClock.Instant?
        /// The first error the pipeline reported.
        var error: String?
    }

    let channel: any Channel
    let openedAt: ContinuousClock.Instant
    private let handler: RawConnectionHandler

    private init(channel: any Channel, handler: RawConnectionHandler) {
        self.channel = channel
        self.handler = handler
        self.openedAt = .now
    }

    /// Connects and, for TLS, completes the handshake, all within `limit`.
    static func open(_ target: AbuseTarget, mode: Mode, within limit: TimeAmount = .seconds(10)) async throws
        -> RawConnection
    {
        let loop = target.loops.next()
        let tls = mode == .silent ? nil : target.tlsContext
        let handler = RawConnectionHandler(
            ready: loop.makePromise(of: Void.self),
            usesTLS: tls != nil,
            isReader: mode != .notReading
        )
        let host = target.host
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(limit)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: !(mode == .notReading && tls == nil))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(TLSHandler(context: tls, role: .client(serverName: host))) }
                    try pipeline.addHandler(handler)
                }
            }
            .connect(host: target.host, port: target.port)
            .get()
        let connection = RawConnection(channel: channel, handler: handler)
        do {
            try await handler.ready.futureResult.get(within: limit)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return connection
    }

    var isOpen: Bool { channel.isActive }

    /// True once the kernel lists the server's end of this connection as closing or gone while
    /// still listing this end (``KernelTCP``): shows the server's close even while this end goes
    /// unread. Also the server's end's send queue, in bytes.
    func serverHasClosed() -> (closed: Bool, sendQueue: Int) {
        guard let local = channel.localAddress?.port, let remote = channel.remoteAddress?.port else {
            return (false, 0)
        }
        let server = KernelTCP.socket(localPort: remote, remotePort: local)
        if server?.state == "ESTABLISHED" { return (false, server!.sendQueue) }
        // /proc/net/tcp is not read atomically: a missing entry counts only beside our own.
        guard server != nil || KernelTCP.socket(localPort: local, remotePort: remote) != nil else { return (false, 0) }
        return (true, server?.sendQueue ?? 0)
    }

    var observed: Observation { handler.observed }

    /// Writes `buffers` in order with one flush; returns once the last one is on the socket (or
    /// in TLS, encrypted and handed to it).
    func send(_ buffers: [ByteBuffer], within limit: TimeAmount = .seconds(30)) async throws {
        guard let last = buffers.last else { return }
        for buffer in buffers.dropLast() { channel.write(buffer, promise: nil) }
        try await channel.writeAndFlush(last).get(within: limit)
    }

    /// Turns reading on again after `.notReading`.
    func resumeReading() async {
        try? await channel.setOption(.autoRead, value: true).get(within: .seconds(5))
        channel.read()
    }

    /// Reads until the server closes, nothing arrives for `quiet`, or `limit` passes.
    func drain(quiet: Duration, limit: Duration) async {
        let start = ContinuousClock.now
        var lastBytes = observed.scanner.bytes
        var lastChange = start
        while isOpen && ContinuousClock.now - start < limit && ContinuousClock.now - lastChange < quiet {
            try? await Task.sleep(for: .milliseconds(100))
            let bytes = observed.scanner.bytes
            if bytes != lastBytes {
                lastBytes = bytes
                lastChange = .now
            }
        }
    }

    /// Waits until the connection has closed, at most `limit`; true when it did.
    func waitForClose(within limit: TimeAmount) async -> Bool {
        (try? await channel.closeFuture.get(within: limit)) != nil
    }

    /// Waits until `condition` holds for what has been received, at most `limit`; true when it did.
    func wait(within limit: Duration, until condition: (Observation) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let now = observed
            if condition(now) { return true }
            if now.closedAt != nil { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(observed)
    }

    /// Closes (TLS sends close_notify first) and waits for the close, at most `limit`.
    func close(within limit: TimeAmount = .seconds(5)) async {
        channel.close(promise: nil)
        _ = await waitForClose(within: limit)
    }
}

/// The end of a raw connection's pipeline: scans what arrives, ACKs SETTINGS (once our own
/// preface is out, never before it), notes the close.
private final class RawConnectionHandler: ChannelDuplexHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct State {
        var observation = RawConnection.Observation()
        var wroteAnything = false
        var prefaceSent = false
        /// SETTINGS received before our preface went out.
        var owedAcks = 0
    }

    /// Succeeds when bytes can flow (TCP connected; for TLS, the handshake done).
    let ready: EventLoopPromise<Void>
    private let usesTLS: Bool
    /// False for `.notReading`: stops reading once TLS is up, and never ACKs.
    private let isReader: Bool
    private let state = Mutex(State())

    init(ready: EventLoopPromise<Void>, usesTLS: Bool, isReader: Bool) {
        self.ready = ready
        self.usesTLS = usesTLS
        self.isReader = isReader
    }

    var observed: RawConnection.Observation { state.withLock { $0.observation } }

    func channelActive(context: ChannelHandlerContext) {
        if !usesTLS { ready.succeed() }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is TLSHandshakeCompleted {
            if !isReader { try? context.channel.syncOptions?.setOption(.autoRead, value: false) }
            ready.succeed()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let acks = state.withLock { state in
            let settings = state.observation.scanner.feed(buffer)
            guard isReader else { return 0 }
            guard state.prefaceSent else {
                state.owedAcks += settings
                return 0
            }
            return settings
        }
        if acks > 0 { context.writeAndFlush(wrapOutboundOut(Self.acks(acks)), promise: nil) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        let first = state.withLock { state in
            defer { state.wroteAnything = true }
            return !state.wroteAnything
        }
        context.write(data, promise: promise)
        guard isReader, first, buffer.readableBytesView.starts(with: ConnectionPreface.bytes) else { return }
        let owed = state.withLock { state in
            state.prefaceSent = true
            defer { state.owedAcks = 0 }
            return state.owedAcks
        }
        if owed > 0 { context.write(wrapOutboundOut(Self.acks(owed)), promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        state.withLock { if $0.observation.error == nil { $0.observation.error = "\(error)" } }
        ready.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.withLock { $0.observation.closedAt = .now }
        ready.fail(AbuseError("the server closed the connection before it was ready"))
        context.fireChannelInactive()
    }

    private static func acks(_ count: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        for _ in 0..<count { Frame(type: .settings, flags: .ack, streamID: 0).write(to: &buffer) }
        return buffer
    }
}

extension EventLoopFuture where Value: Sendable {
    /// The future's value, or ``AbuseError`` once `limit` has passed.
    func get(within limit: TimeAmount) async throws -> Value {
        let promise = eventLoop.makePromise(of: Value.self)
        let timer = eventLoop.scheduleTask(in: limit) {
            promise.fail(AbuseError("no answer within \(limit.nanoseconds / 1_000_000) ms"))
        }
        whenComplete { result in
            timer.cancel()
            promise.completeWith(result)
        }
        return try await promise.futureResult.get()
    }
}

/// A failure described in words.
struct AbuseError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
