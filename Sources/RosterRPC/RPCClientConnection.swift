public import NIOCore
internal import NIOPosix
package import RosterTLS
public import RosterWire
internal import Synchronization

/// One client connection to a Roster server, multiplexing any number of concurrent calls.
///
/// Calls made from a task that prefers ``taskExecutor`` run on the connection's event loop and
/// cost no thread hop; calls from anywhere else hop to it once each way.
public final class RPCClientConnection: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<ClientConnectionHandler>
    private let usable: Atomic<Bool>
    private let window: Int
    /// Runs tasks on this connection's event loop (see `withTaskExecutorPreference`).
    public let taskExecutor: any TaskExecutor

    private init(channel: any Channel, handler: NIOLoopBound<ClientConnectionHandler>, window: Int) {
        self.channel = channel
        self.handler = handler
        self.usable = Atomic(true)
        self.window = window
        self.taskExecutor = EventLoopTaskExecutor(eventLoop: channel.eventLoop)
    }

    /// Connects, completes TLS and the SETTINGS exchange, and returns a ready connection.
    ///
    /// - Parameters:
    ///   - tls: the client TLS context and the server name to verify (a DNS name or an IP);
    ///     nil connects in plaintext (development and loopback only).
    package static func connect(
        host: String,
        port: Int,
        tls: (context: TLSContext, serverName: String)?,
        configuration: Configuration = .defaults,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RPCClientConnection {
        // One loop for the channel and everything about it.
        let eventLoop = group.next()
        let ready = eventLoop.makePromise(of: Void.self)
        let created = eventLoop.makePromise(of: NIOLoopBound<ClientConnectionHandler>.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.writeBufferWaterMark, value: configuration.connection.writeBufferWaterMark)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let tls {
                            try pipeline.addHandler(
                                TLSHandler(context: tls.context, role: .client(serverName: tls.serverName))
                            )
                        }
                        let handler = ClientConnectionHandler(configuration: configuration, ready: ready)
                        try pipeline.addHandler(handler)
                        created.succeed(NIOLoopBound(handler, eventLoop: channel.eventLoop))
                    }
                }
                .connect(host: host, port: port)
                .get()
        } catch {
            ready.fail(error)
            created.fail(error)
            throw RPCError(
                .unavailable,
                "cannot connect to \(host):\(port): \(error); check the address and that the server is running"
            )
        }
        do {
            try await ready.futureResult.get()
        } catch {
            channel.close(promise: nil)
            throw (error as? RPCError) ?? RPCError(.unavailable, "cannot connect to \(host):\(port): \(error)")
        }
        let handler = try await created.futureResult.get()
        let connection = RPCClientConnection(
            channel: channel,
            handler: handler,
            window: configuration.connection.initialWindowSize
        )
        try await channel.eventLoop.submit {
            handler.value.onUnusable = { connection.usable.store(false, ordering: .relaxed) }
            if !handler.value.isUsable || !channel.isActive { connection.usable.store(false, ordering: .relaxed) }
        }.get()
        return connection
    }

    /// Whether new calls can start on this connection (it is open and has not had GOAWAY).
    public var isUsable: Bool { usable.load(ordering: .relaxed) && channel.isActive }

    /// The server's address.
    public var remoteAddress: SocketAddress? { channel.remoteAddress }

    // MARK: - Calls

    /// Makes a unary call.
    ///
    /// - Parameter timeout: the call's deadline from now; the server is told, and the call fails
    ///   with DEADLINE_EXCEEDED locally too when it passes.
    public func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ path: String,
        request: Request,
        response: Response.Type = Response.self,
        metadata: [String: String] = [:],
        timeout: Duration? = nil
    ) async throws -> Response {
        let token = CallToken()
        let bytes: ByteBuffer = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                self.handler.onLoop { handler in
                    guard !token.cancelled else {
                        return continuation.resume(throwing: RPCError(.cancelled, "the caller cancelled the call"))
                    }
                    token.streamID = handler.startCall(
                        path: path,
                        request: request,
                        metadata: metadata,
                        timeout: timeout.map(TimeAmount.init),
                        receiver: .unary(continuation, response: nil)
                    )
                }
            }
        } onCancel: {
            cancel(token)
        }
        do {
            return try Response(decoding: bytes)
        } catch {
            throw RPCError(.internal, "the server's response is not a valid \(Response.protoMessageName): \(error)")
        }
    }

    /// Starts a server-streaming call; iterate the result for the responses.
    public func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ path: String,
        request: Request,
        response: Response.Type = Response.self,
        metadata: [String: String] = [:],
        timeout: Duration? = nil
    ) -> RPCResponseStream<Response> {
        let token = CallToken()
        let handler = self.handler
        let buffer = ResponseStreamBuffer(window: window) { credit in
            handler.onLoop { if let id = token.streamID { $0.returnCredit(id, bytes: credit) } }
        }
        handler.onLoop { handler in
            guard !token.cancelled else { return buffer.finish(RPCError(.cancelled, "the caller cancelled the call")) }
            token.streamID = handler.startCall(
                path: path,
                request: request,
                metadata: metadata,
                timeout: timeout.map(TimeAmount.init),
                receiver: .streaming(buffer)
            )
        }
        return RPCResponseStream(call: StreamingCall(buffer: buffer, cancel: { [self] in cancel(token) }))
    }

    /// Sends GOAWAY and closes once the calls in flight have finished.
    public func close() async {
        handler.onLoop { $0.closeGracefully() }
        try? await channel.closeFuture.get()
    }

    private func cancel(_ token: CallToken) {
        handler.onLoop { handler in
            token.cancelled = true
            if let id = token.streamID { handler.cancel(id, RPCError(.cancelled, "the caller cancelled the call")) }
        }
    }

}

/// Identifies one call across the caller's task and the event loop.
///
/// `@unchecked Sendable`: its fields are only read and written on the connection's event loop.
private final class CallToken: @unchecked Sendable {
    var streamID: UInt32?
    var cancelled = false
}
