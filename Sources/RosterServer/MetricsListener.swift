package import NIOCore
internal import NIOHTTP1
internal import NIOPosix

/// The plain-HTTP listener of `rosterd serve --metrics-listen`: answers `GET /metrics` (and
/// HEAD) with the Prometheus text format, anything else with 404 or 405, and closes each
/// connection after its one answer. A connection that sends no complete request head within
/// the request timeout (10 s by default) is closed; a request body is never read.
///
/// It is separate from the RPC listener (no TLS, no API key), so bind it to an address only the
/// scraper reaches.
package final class MetricsListener: Sendable {
    /// The content type of Prometheus' text exposition format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    /// How long a connection may take to send its request head, by default.
    package static let defaultRequestTimeout = Duration.seconds(10)

    private let channel: any Channel

    /// The bound address (port 0 picks a free one).
    package var localAddress: SocketAddress? { channel.localAddress }

    private init(channel: any Channel) {
        self.channel = channel
    }

    /// Binds `host:port` and serves until ``close()``. `exposition` makes the body of each scrape.
    package static func bind(
        host: String,
        port: Int,
        requestTimeout: Duration = defaultRequestTimeout,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        exposition: @escaping @Sendable () async -> [UInt8]
    ) async throws -> MetricsListener {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                    try pipeline.addHandler(IdleStateHandler(readTimeout: TimeAmount(requestTimeout)))
                    try pipeline.addHandler(MetricsHTTPHandler(exposition: exposition))
                }
            }
            .bind(host: host, port: port)
            .get()
        return MetricsListener(channel: channel)
    }

    /// Stops accepting; connections in flight finish their answer.
    package func close() async {
        try? await channel.close()
    }
}

/// Answers one request per connection, then closes it.
private final class MetricsHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let exposition: @Sendable () async -> [UInt8]
    private var answered = false

    init(exposition: @escaping @Sendable () async -> [UInt8]) {
        self.exposition = exposition
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data), !answered else { return }
        answered = true
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard path == "/metrics" else {
            return respond(context, .notFound, body: Array("not found: the metrics are at /metrics\n".utf8))
        }
        guard head.method == .GET || head.method == .HEAD else {
            return respond(
                context,
                .methodNotAllowed,
                body: Array("method \(head.method) not allowed: use GET /metrics\n".utf8),
                extraHeaders: [("Allow", "GET, HEAD")]
            )
        }
        let withBody = head.method == .GET
        context.eventLoop.makeFutureWithTask(exposition).assumeIsolated().whenSuccess { [self] body in
            respond(
                context,
                .ok,
                body: body,
                contentType: MetricsListener.contentType,
                sendBody: withBody
            )
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, !answered {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func respond(
        _ context: ChannelHandlerContext,
        _ status: HTTPResponseStatus,
        body: [UInt8],
        contentType: String = "text/plain; charset=utf-8",
        extraHeaders: [(String, String)] = [],
        sendBody: Bool = true
    ) {
        var headers = HTTPHeaders([
            ("Content-Type", contentType), ("Content-Length", "\(body.count)"), ("Connection", "close"),
        ])
        headers.add(contentsOf: extraHeaders)
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if sendBody {
            var buffer = context.channel.allocator.buffer(capacity: body.count)
            buffer.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
