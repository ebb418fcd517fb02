public import CoreMetrics
public import Logging
public import NIOCore
internal import NIOPosix
package import RosterTLS
internal import RosterWire
internal import Synchronization

/// A Roster protocol server: accepts TLS (or, when asked, plaintext) connections and serves the
/// methods of an ``RPCRouter`` on them.
///
///     let server = RPCServer(configuration: config, router: router)
///     let address = try await server.start()
///     …
///     await server.shutdown()   // GOAWAY, calls finish within the grace period, then close
///
/// A server starts once: a second ``start()`` is a programming error and traps. ``shutdown()``
/// may be called at any time and more than once; only the first does anything.
public final class RPCServer: Sendable {
    public struct Configuration: Sendable {
        /// Address to listen on, e.g. "127.0.0.1" or "0.0.0.0".
        public var host: String
        /// Port; 0 picks a free one (read it back from ``start()``).
        public var port: Int
        /// TLS settings; nil serves plaintext, for development and loopback only.
        package var tls: TLSConfiguration.Server?
        /// Limits and clocks, per connection and over all connections.
        public var limits = RPCServerLimits.defaults
        /// Where the server logs: refused abuse as warnings (one line per cause per 10 s), each
        /// connection's life at debug, each call's end at trace (``RPCLogKey``).
        public var logger = Logger(label: "roster.rpc")
        /// Where the call runtime's metrics go (``RPCMetrics``); nil, the default, keeps none.
        public var metrics: (any MetricsFactory)?

        package init(host: String, port: Int, tls: TLSConfiguration.Server?) {
            self.host = host
            self.port = port
            self.tls = tls
        }
    }

    /// Where the server is in its life; every transition is guarded.
    private enum Phase {
        case idle
        case starting
        case listening(any Channel)
        case stopping
        case stopped
    }

    private struct State {
        var phase = Phase.idle
        var connections: [ObjectIdentifier: any Channel] = [:]
    }

    private let configuration: Configuration
    private let router: RPCRouter
    private let group: any EventLoopGroup
    private let tlsContext: TLSContext?
    private let state = Mutex(State())
    /// Numbers the connections for their log lines.
    private let connectionNumbers = Atomic<UInt64>(0)
    private let budget: ServerCallBudget
    /// Abuse counted per cause since the server started.
    public let abuse: AbuseMonitor
    private let metrics: RPCMetrics?

    /// - Parameter group: the event loops to serve on; defaults to NIO's shared singleton group.
    package init(
        configuration: Configuration,
        router: RPCRouter,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws {
        self.configuration = configuration
        self.router = router
        self.group = group
        self.tlsContext = try configuration.tls.map { try TLSContext(server: $0) }
        self.budget = ServerCallBudget(
            maxOpenCalls: configuration.limits.maxOpenCalls,
            maxHeaderBytes: configuration.limits.maxHeldMetadataBytes,
            maxBackgroundCalls: configuration.limits.maxBackgroundCalls
        )
        self.abuse = AbuseMonitor(logger: configuration.logger, metrics: configuration.metrics)
        self.metrics = configuration.metrics.map { RPCMetrics(factory: $0, methods: router.paths) }
    }

    /// A logger that writes nothing (the default of servers built without one).
    static let silentLogger = Logger(label: "roster.rpc", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Binds and starts accepting; returns the bound address. A server whose bind failed stays
    /// stopped: make a new one to try again.
    @discardableResult
    public func start() async throws -> SocketAddress {
        state.withLock { state in
            guard case .idle = state.phase else {
                preconditionFailure(
                    "RPCServer.start() called on a server that has already started; a server starts once"
                )
            }
            state.phase = .starting
        }
        let channel: any Channel
        do {
            channel = try await bind()
        } catch {
            state.withLock { $0.phase = .stopped }
            throw error
        }
        // A shutdown that came during the bind wins: the listener closes at once.
        let stopped = state.withLock { state -> Bool in
            guard case .starting = state.phase else { return true }
            state.phase = .listening(channel)
            return false
        }
        if stopped {
            try? await channel.close()
            throw RPCError(.unavailable, "the server was shut down while it started")
        }
        guard let address = channel.localAddress else {
            throw RPCError(
                .internal,
                "the server bound \(configuration.host):\(configuration.port) but has no local address"
            )
        }
        return address
    }

    private func bind() async throws -> any Channel {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // One read (up to 64 KiB) per connection per loop tick, not NIO's default 4: a
            // connection sending megabytes gets its turn like the others on its loop, which then
            // serves a light connection's call after at most one buffer of each busy one.
            .childChannelOption(.maxMessagesPerRead, value: 1)
            .childChannelOption(.writeBufferWaterMark, value: configuration.limits.connection.writeBufferWaterMark)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture { try self.initialize(channel) }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
    }

    /// Connections currently open.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Calls open now over all connections.
    public var openCallCount: Int { budget.currentOpenCalls }

    /// Calls of background methods running now, and waiting for a slot now.
    public var backgroundCallCounts: (running: Int, waiting: Int) { budget.backgroundCalls.counts }

    /// Sets the gauges of open connections and calls; a metrics scrape calls it just before it
    /// reads them.
    public func recordOpenGauges() {
        metrics?.recordOpen(connections: connectionCount, calls: openCallCount)
    }

    /// Connection handlers alive (refusers included), and TLS handlers alive: both return to 0
    /// once every connection has closed, or a connection's state leaked.
    package var liveConnectionObjects: (handlers: Int, tls: Int) {
        (budget.liveHandlers.current, tlsContext?.liveHandlers.current ?? 0)
    }

    private func initialize(_ channel: any Channel) throws {
        enum Admission { case accepted, overLimit, stopping }
        let admission = state.withLock { state -> Admission in
            guard case .listening = state.phase else { return .stopping }
            guard state.connections.count < configuration.limits.maxConnections else { return .overLimit }
            state.connections[ObjectIdentifier(channel)] = channel
            return .accepted
        }
        let pipeline = channel.pipeline.syncOperations
        if let tlsContext { try pipeline.addHandler(TLSHandler(context: tlsContext, role: .server)) }
        var logger = configuration.logger
        logger[rpc: .peer] = "\(channel.remoteAddress.map { "\($0)" } ?? "?")"
        logger[rpc: .connection] = "\(connectionNumbers.wrappingAdd(1, ordering: .relaxed).newValue)"
        switch admission {
        case .accepted:
            break
        case .overLimit:
            metrics?.connectionEnded(.refused)
            logger.debug("connection refused: over the connection limit")
            let limit = configuration.limits.maxConnections
            abuse.record(
                .connectionLimit,
                peer: channel.remoteAddress,
                detail: "a connection over the limit of \(limit)",
                now: channel.eventLoop.now
            )
            try pipeline.addHandler(
                ConnectionRefuser(
                    goAway: RPCMessages.GoAway(
                        lastStreamID: 0,
                        code: RPCError.Code.resourceExhausted.rawValue,
                        message: "server has \(limit) connections; the limit is \(limit): retry later"
                    ),
                    tls: tlsContext != nil,
                    handshakeTimeout: TimeAmount(configuration.limits.handshakeTimeout),
                    live: budget.liveHandlers
                )
            )
            return
        case .stopping:
            metrics?.connectionEnded(.refused)
            logger.debug("connection refused: the server is stopping")
            try pipeline.addHandler(
                ConnectionRefuser(
                    goAway: RPCMessages.GoAway(
                        lastStreamID: 0,
                        code: RPCError.Code.unavailable.rawValue,
                        message: "server is shutting down; reconnect to another instance"
                    ),
                    tls: tlsContext != nil,
                    handshakeTimeout: TimeAmount(configuration.limits.handshakeTimeout),
                    live: budget.liveHandlers
                )
            )
            return
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            self?.state.withLock { _ = $0.connections.removeValue(forKey: ObjectIdentifier(channel)) }
        }
        try pipeline.addHandler(
            ServerConnectionHandler(
                router: router,
                limits: configuration.limits,
                budget: budget,
                abuse: abuse,
                metrics: metrics,
                logger: logger
            )
        )
    }

    /// Stops accepting, sends GOAWAY on every connection, lets calls finish within the grace
    /// period, and returns when every connection has closed.
    public func shutdown() async {
        let stopping = state.withLock { state -> (listener: (any Channel)?, connections: [any Channel])? in
            switch state.phase {
            case .idle:
                state.phase = .stopped
                return nil
            case .starting:
                // start() closes the listener when its bind completes.
                state.phase = .stopping
                return (nil, Array(state.connections.values))
            case .listening(let listener):
                state.phase = .stopping
                return (listener, Array(state.connections.values))
            case .stopping, .stopped:
                return nil
            }
        }
        guard let (server, connections) = stopping else { return }
        defer { state.withLock { $0.phase = .stopped } }
        try? await server?.close()
        for connection in connections {
            connection.pipeline.fireUserInboundEventTriggered(ServerConnectionHandler.GracefulShutdown())
        }
        for connection in connections {
            let deadline = connection.eventLoop.scheduleTask(
                in: TimeAmount(configuration.limits.gracePeriod + .seconds(1))
            ) {
                connection.close(promise: nil)
            }
            try? await connection.closeFuture.get()
            deadline.cancel()
        }
    }
}

/// Answers a connection the server will not serve (over the limit: GOAWAY RESOURCE_EXHAUSTED;
/// arriving during shutdown: GOAWAY UNAVAILABLE) after the TLS handshake, so the client can read
/// it, and closes it. A peer that does not complete the TLS handshake
/// within the handshake timeout is closed without a word.
private final class ConnectionRefuser: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let goAway: RPCMessages.GoAway
    private let tls: Bool
    private let handshakeTimeout: TimeAmount
    private var timer: Scheduled<Void>?

    private let live: LiveObjects

    init(goAway: RPCMessages.GoAway, tls: Bool, handshakeTimeout: TimeAmount, live: LiveObjects) {
        self.goAway = goAway
        self.tls = tls
        self.handshakeTimeout = handshakeTimeout
        self.live = live
        live.created()
    }

    deinit {
        live.destroyed()
    }

    func channelActive(context: ChannelHandlerContext) {
        if !tls { refuse(context: context) }
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if !tls, context.channel.isActive { refuse(context: context) }
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: handshakeTimeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is TLSHandshakeCompleted { refuse(context: context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 128)
        Frame.write(.goAway, streamID: 0, message: goAway, to: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in context.close(promise: nil)
        }
    }
}
