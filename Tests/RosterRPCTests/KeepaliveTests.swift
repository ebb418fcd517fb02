import NIOCore
import NIOPosix
import RosterBenchMessages
import RosterClient
import RosterRPC
import RosterWire
import Testing

/// A server that completes the SETTINGS exchange and then never answers anything.
private final class MuteServerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 16)
        Frame(type: .settings, streamID: 0).write(to: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

@Suite("Keepalive")
struct KeepaliveTests {
    @Test(
        "a server that stops answering is detected by the keepalive PING and the call fails, saying so",
        // A hang fails it; in the full suite, on two cores, it waits its turn for over a minute.
        .timeLimit(.minutes(10))
    )
    func silentServer() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MuteServerHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        var configuration = RosterClientConfiguration(
            host: "127.0.0.1",
            port: server.localAddress!.port!,
            security: .plaintext
        )
        configuration.connection.keepaliveInterval = .milliseconds(100)
        configuration.connection.keepaliveTimeout = .milliseconds(100)
        configuration.backoff.maxAttempts = 1
        let client = try RosterClient(configuration: configuration)
        do {
            _ = try await client.unary(
                "/test.Echo/Unary",
                request: echoRequest("anyone?"),
                response: PeerBench.ListGroupsResponse.self
            )
            Issue.record("the call succeeded")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("did not answer a keepalive PING"), "\(error.message)")
        }
        await client.close()
        try await server.close()
    }
}
