import Foundation
import NIOCore
import NIOPosix
import RosterBenchMessages
import RosterClient
import RosterTLS
import RosterWire
import Synchronization
import Testing

@testable import RosterRPC

/// Real sockets: what every connection leaves behind when it closes, and what a client that never
/// reads (or a server that never reads) can make the other side hold.
@Suite("Connection lifetime and backpressure over sockets", .serialized)
struct ConnectionLifetimeTests {
    /// Waits until `condition` holds, polling, for at most `seconds`.
    func eventually(seconds: Double = 120, _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        return condition()
    }

    @Test(
        "1,000 connections opened and closed (whole, with a 1 MiB frame, cut mid-frame, mid-handshake) leave no handler behind"
    )
    func noLeakPerConnection() async throws {
        // Requests up to 2 MiB are taken here, so the 1 MiB one is buffered whole, not refused from its header.
        let server = try await TestServer.start(tls: true) { $0.limits.maxRequestSize = 2 << 20 }
        let clientTLS = try TLSContext(client: TLSConfiguration.Client(caFilePath: TestCertificates.path("ca.pem")))
        var largeFrame = ByteBuffer()
        headersFrame(1, "/test.Echo/Unary").write(to: &largeFrame)
        Frame(type: .message, flags: .endStream, streamID: 1, payload: ByteBuffer(repeating: 0x08, count: 1 << 20))
            .write(to: &largeFrame)
        let large = Array(largeFrame.readableBytesView)
        var cutFrameHeaders = ByteBuffer()
        headersFrame(1, "/test.Echo/Unary").write(to: &cutFrameHeaders)
        let cutFrame: [UInt8] =
            Array(cutFrameHeaders.readableBytesView) + [0, 1, 0, 0, 0x02, 0x01, 0, 0, 0, 1]
            + [UInt8](repeating: 7, count: 1000)

        for batch in 0..<50 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    let kind = (batch * 20 + index) % 4
                    group.addTask {
                        switch kind {
                        case 0:  // a whole opening, the server's SETTINGS read, then close
                            let raw = try await RawConnection.connect(port: server.port, tls: clientTLS)
                            try await raw.send(clientOpening)
                            _ = await raw.waitForFrame { $0.type == .settings }
                            raw.close()
                        case 1:  // a call with a 1 MiB request, closed without waiting for it
                            let raw = try await RawConnection.connect(port: server.port, tls: clientTLS)
                            try await raw.send(clientOpening + large)
                            raw.close()
                        case 2:  // a request cut after 1,000 of its 65,536 bytes
                            let raw = try await RawConnection.connect(port: server.port, tls: clientTLS)
                            try await raw.send(clientOpening + cutFrame)
                            raw.close()
                        default:  // half a TLS record header, then gone
                            let raw = try await RawConnection.connect(port: server.port)
                            try await raw.send([0x16, 0x03, 0x01])
                            raw.close()
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let released = await eventually {
            server.server.connectionCount == 0 && server.server.liveConnectionObjects == (handlers: 0, tls: 0)
        }
        #expect(released, "connections \(server.server.connectionCount), live \(server.server.liveConnectionObjects)")
        #expect(await eventually { clientTLS.liveHandlers.current == 0 })
        try await server.expectServing(tls: true)
        await server.server.shutdown()
    }

    @Test("a client that stops reading gets no more responses built; once it reads, every call completes")
    func noWorkForNonReader() async throws {
        let server = try await TestServer.start {
            // No bound closes the connection here: only the backpressure can hold the work back.
            $0.limits.connection.maxQueuedBytes = 1 << 30
            $0.limits.sendStallTimeout = .seconds(300)
        }
        server.observations.gateOpen.store(true, ordering: .relaxed)
        let raw = try await RawConnection.connect(port: server.port, autoRead: false)
        var calls = ByteBuffer(bytes: clientOpening)
        // 100 responses of about 1 MB, built on the background threads: far more than the
        // loopback socket's buffers (a few MiB) and the channel's 512 KiB take.
        let request = echoRequest(String(repeating: "x", count: 100), limit: 10_000)
        for index in 0..<100 {
            let id = UInt32(index * 2 + 1)
            headersFrame(id, "/test.Echo/Background").write(to: &calls)
            messageFrame(id, request).write(to: &calls)
        }
        try await raw.channel.writeAndFlush(calls).get()
        let started = { server.observations.backgroundStarted.load(ordering: .relaxed) }
        // Wait until the server has started handlers, then until it stops (no new one for a second).
        #expect(await eventually { started() > 0 }, "no response was built at all")
        var last = -1
        while started() != last {
            last = started()
            try await Task.sleep(for: .seconds(1))
        }
        #expect(last > 0 && last < 50, "\(last) of 100 responses were built for a client that reads nothing")
        try await raw.channel.setOption(ChannelOptions.autoRead, value: true).get()
        raw.channel.read()
        #expect(await eventually { started() == 100 && server.server.openCallCount == 0 })
        // Then every answer arrives. They are counted once the bytes stop coming (decoding 100 MB
        // while they arrive would copy the buffer at every look), again after each pause that
        // was only the loaded machine's, until all 100 are in or 120 s have passed.
        let deadline = ContinuousClock.now + .seconds(120)
        var answered = 0
        repeat {
            var size = -1
            while raw.receivedCount != size {
                size = raw.receivedCount
                try await Task.sleep(for: .milliseconds(500))
            }
            answered =
                raw.frames().filter { $0.type == .trailers }
                .compactMap { try? RPCMessages.Status(decoding: $0.payload) }
                .filter { $0.code == RPCError.Code.ok.rawValue }.count
        } while answered < 100 && ContinuousClock.now < deadline
        #expect(answered == 100)
        raw.close()
        await server.server.shutdown()
    }

    @Test(
        "a client that sends 500 calls and never reads is closed (past max_queued_bytes or the send stall timeout); others are served"
    )
    func neverReadingClient() async throws {
        let server = try await TestServer.start {
            $0.limits.connection.maxQueuedBytes = 1 << 20
            $0.limits.sendStallTimeout = .seconds(2)
        }
        let raw = try await RawConnection.connect(port: server.port, autoRead: false)
        var calls = ByteBuffer(bytes: clientOpening)
        let request = echoRequest(String(repeating: "x", count: 1000), limit: 200)  // ~200 KB replies
        for index in 0..<500 {
            let id = UInt32(index * 2 + 1)
            headersFrame(id, "/test.Echo/Unary").write(to: &calls)
            messageFrame(id, request).write(to: &calls)
        }
        raw.channel.writeAndFlush(calls, promise: nil)  // it may never all be read: do not wait
        let closed = await eventually {
            server.server.abuse.count(.slowReader) == 1 && server.server.connectionCount == 0
        }
        #expect(
            closed,
            "slow reader \(server.server.abuse.count(.slowReader)), connections \(server.server.connectionCount)"
        )
        try await server.expectServing()
        raw.close()
        await server.server.shutdown()
    }

    @Test("a connection over the connection limit that never completes TLS is closed after the handshake timeout")
    func refusedConnectionHasAClock() async throws {
        // A limit of 0: every connection is over it, so no allowed connection has to finish its
        // own handshake within the 5 s on a loaded machine.
        let server = try await TestServer.start(tls: true) {
            $0.limits.maxConnections = 0
            $0.limits.handshakeTimeout = .seconds(5)
        }
        // Over the limit and never speaking TLS: its refuser's clock closes it.
        let refused = try await RawConnection.connect(port: server.port)
        #expect(await eventually { server.server.abuse.count(.connectionLimit) == 1 })
        #expect(await refused.waitForClose(seconds: 120))
        #expect(await eventually { server.server.liveConnectionObjects.handlers == 0 }, "the refuser was not released")
        refused.close()
        await server.server.shutdown()
    }

    @Test("a server that never reads: RosterClient stops queueing past max_queued_bytes and says so")
    func neverReadingServer() async throws {
        let (listener, port) = try await SilentServer.start()
        var configuration = RPCClientConnection.Configuration.defaults
        configuration.connection.maxQueuedBytes = 1 << 20
        let connection = try await RPCClientConnection.connect(
            host: "127.0.0.1",
            port: port,
            tls: nil,
            configuration: configuration
        )
        let request = echoRequest(String(repeating: "x", count: 512 * 1024))
        let errors = await withTaskGroup(of: RPCError?.self) { group in
            for _ in 0..<60 {
                group.addTask {
                    do {
                        _ = try await connection.unary(
                            "/test.Echo/Unary",
                            request: request,
                            response: PeerBench.ListGroupsResponse.self,
                            timeout: .seconds(3)
                        )
                        return nil
                    } catch {
                        return error as? RPCError
                    }
                }
            }
            var errors: [RPCError] = []
            for await error in group { if let error { errors.append(error) } }
            return errors
        }
        let refused = errors.filter { $0.code == .resourceExhausted }
        #expect(!refused.isEmpty)
        #expect(
            refused.first?.message.hasPrefix("the server is not reading: ") == true,
            "\(refused.first?.message ?? "")"
        )
        await connection.close()
        try await listener.close()
    }
}

/// A "server" that sends its SETTINGS and then never reads a byte.
enum SilentServer {
    final class Greeter: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelActive(context: ChannelHandlerContext) {
            var buffer = ByteBuffer()
            Frame(type: .settings, streamID: 0).write(to: &buffer)
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            context.fireChannelActive()
        }
    }

    static func start() async throws -> (any Channel, Int) {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.socketOption(.so_rcvbuf), value: 16 * 1024)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Greeter()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return (channel, channel.localAddress!.port!)
    }
}
