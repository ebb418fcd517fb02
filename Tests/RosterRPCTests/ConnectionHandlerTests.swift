import Logging
import NIOCore
import NIOEmbedded
import RosterWire
import Testing

@testable import RosterRPC

/// The connection handlers in an `EmbeddedChannel` with virtual time: every clock and bound of
/// the server, backpressure, and the client's side of PROTOCOL.md §4, without sockets or sleeps.
@Suite("Connection handlers on virtual time")
struct ConnectionHandlerTests {
    /// Counts the `read()` calls that reach the head of the pipeline.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0
        /// When set, the next write fills the channel: it stops being writable at once, as a
        /// socket does when a flush of held frames passes its high-water mark.
        var fillOnNextWrite = false
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            context.write(data, promise: promise)
            guard fillOnNextWrite, let channel = context.channel as? EmbeddedChannel else { return }
            fillOnNextWrite = false
            channel.isWritable = false
            channel.pipeline.fireChannelWritabilityChanged()
        }
    }

    struct Server {
        let channel: EmbeddedChannel
        let reads: ReadCounter
        let abuse: AbuseMonitor
        let handler: ServerConnectionHandler
        let budget = ServerCallBudget(maxOpenCalls: 1000, maxHeaderBytes: 1 << 20)

        init(_ configure: (inout RPCServerLimits) -> Void = { _ in }) throws {
            var configuration = RPCServerLimits.defaults
            configuration.gracePeriod = .seconds(2)
            configure(&configuration)
            abuse = AbuseMonitor(logger: Logger(label: "test"))
            handler = ServerConnectionHandler(
                router: testRouter(Observations()),
                limits: configuration,
                budget: budget,
                abuse: abuse
            )
            channel = EmbeddedChannel()
            reads = ReadCounter()
            try channel.pipeline.syncOperations.addHandler(reads)
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        func send(_ bytes: [UInt8]) throws {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        }

        func send(_ frames: [Frame]) throws {
            var buffer = ByteBuffer()
            for frame in frames { frame.write(to: &buffer) }
            try channel.writeInbound(buffer)
        }

        func advance(_ amount: TimeAmount) {
            channel.embeddedEventLoop.advanceTime(by: amount)
        }

        /// Every frame the server has written so far.
        func written() throws -> [Frame] {
            var bytes = ByteBuffer()
            while var chunk = try channel.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&chunk) }
            var decoder = FrameDecoder(
                limits: .init(maxFrameSize: 16 << 20, maxHeaderSize: 16 << 20),
                expectsPreface: false
            )
            var frames: [Frame] = []
            while case .frame(let frame)? = try decoder.decode(buffer: &bytes) { frames.append(frame) }
            return frames
        }

        var isOpen: Bool { channel.isActive }
    }

    func goAway(_ frames: [Frame]) throws -> RPCMessages.GoAway? {
        try frames.last(where: { $0.type == .goAway }).map { try RPCMessages.GoAway(decoding: $0.payload) }
    }

    func trailers(_ frames: [Frame], stream: UInt32) throws -> RPCMessages.Status? {
        try frames.first(where: { $0.type == .trailers && $0.streamID == stream }).map {
            try RPCMessages.Status(decoding: $0.payload)
        }
    }

    @Test("a connection that never sends the preface is closed after the handshake timeout")
    func handshakeTimeout() throws {
        let server = try Server()
        server.advance(.seconds(9))
        #expect(server.isOpen)
        server.advance(.seconds(1))
        #expect(try goAway(server.written())?.message == "no Roster preface and SETTINGS within 10 s")
        #expect(!server.isOpen)
        #expect(server.abuse.count(.handshakeTimeout) == 1)
    }

    @Test(
        "HEADERS without a MESSAGE: the call ends DEADLINE_EXCEEDED after the request timeout, and the idle clock runs again"
    )
    func halfOpenCall() throws {
        let server = try Server()
        try server.send(clientOpening)
        try server.send([headersFrame(1, "/test.Echo/Unary", metadata: ["x-pad": String(repeating: "a", count: 8000)])])
        server.advance(.seconds(9))
        #expect(try trailers(server.written(), stream: 1) == nil)
        server.advance(.seconds(1))
        let status = try #require(try trailers(server.written(), stream: 1))
        #expect(status.code == RPCError.Code.deadlineExceeded.rawValue)
        #expect(status.message == "no request message within 10 s of the call's HEADERS")
        #expect(server.abuse.count(.requestTimeout) == 1)
        server.advance(.minutes(5))
        #expect(try goAway(server.written())?.message == "idle timeout: no calls for 300 s")
        #expect(!server.isOpen)
    }

    @Test("4,096 half-open calls on one connection: 100 are held, the rest refused, all end within the request timeout")
    func manyHalfOpenCalls() throws {
        let server = try Server()
        try server.send(clientOpening)
        try server.send((0..<4096).map { headersFrame(UInt32($0 * 2 + 1), "/test.Echo/Unary") })
        let refused = try server.written().filter { $0.type == .trailers }
        #expect(refused.count == 3996)
        server.advance(.seconds(10))
        let ended = try server.written().filter { $0.type == .trailers }
        #expect(ended.count == 100)
        #expect(server.abuse.count(.refusedStream) == 3996)
    }

    @Test("half-open calls on one connection hold at most 256 KiB of metadata; the rest are refused with 8")
    func halfOpenMetadataBound() throws {
        let server = try Server()
        try server.send(clientOpening)
        let pad = String(repeating: "a", count: 8000)
        try server.send((0..<40).map { headersFrame(UInt32($0 * 2 + 1), "/test.Echo/Unary", metadata: ["x-pad": pad]) })
        let refused = try server.written().filter { $0.type == .trailers }.map {
            try RPCMessages.Status(decoding: $0.payload)
        }
        #expect(refused.count == 8)
        #expect(refused.allSatisfy { $0.code == RPCError.Code.resourceExhausted.rawValue })
        #expect(
            refused.first?.message.hasSuffix("the limit is 262144: send each call's request right after its HEADERS")
                == true
        )
        #expect(server.abuse.count(.oversizedHeaders) == 8)
        // When the waiting calls end, the connection may hold half-open calls again.
        server.advance(.seconds(10))
        try server.send([headersFrame(81, "/test.Echo/Unary", metadata: ["x-pad": pad])])
        #expect(try trailers(server.written(), stream: 81) == nil)
    }

    @Test("a frame started and never finished closes the connection after the frame timeout")
    func partialFrame() throws {
        let server = try Server()
        try server.send(clientOpening)
        try server.send([0, 0, 0, 50, 0x01, 0, 0, 0, 0, 1, 0x0A])
        server.advance(.seconds(29))
        #expect(server.isOpen)
        server.advance(.seconds(1))
        let away = try #require(try goAway(server.written()))
        #expect(away.code == RPCError.Code.deadlineExceeded.rawValue)
        #expect(away.message == "a frame started 30 s ago is still incomplete; the limit is 30 s")
        #expect(!server.isOpen)
    }

    /// A frame's 10-byte header alone, announcing `length` payload bytes.
    func frameHeader(_ type: FrameType, length: Int, flags: FrameFlags = [], stream: UInt32 = 0) -> ByteBuffer {
        var bytes = ByteBuffer()
        bytes.writeMultipleIntegers(UInt32(length), type.rawValue, flags.rawValue, stream)
        return bytes
    }

    static let ping = Frame(type: .ping, flags: [], streamID: 0, payload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8]))

    /// HEADERS of a call on `stream`, then the first `sent` bytes of its request MESSAGE of `length`.
    func oversizedRequest(stream: UInt32, length: Int, sent: Int) -> ByteBuffer {
        var bytes = ByteBuffer()
        headersFrame(stream, "/test.Echo/Unary").write(to: &bytes)
        bytes.writeImmutableBuffer(frameHeader(.message, length: length, flags: .endStream, stream: stream))
        bytes.writeRepeatingByte(0x61, count: sent)
        return bytes
    }

    static let oversizedMessage = "the request of 100000 bytes exceeds this server's limit of 1024 bytes for a request"

    @Test("a request over max_request_size, alone on its connection: the call ends with 8, then GOAWAY 8 and close")
    func oversizedRequestCloses() throws {
        let server = try Server { $0.maxRequestSize = 1024 }
        try server.send(clientOpening)
        try server.channel.writeInbound(oversizedRequest(stream: 1, length: 100_000, sent: 40_000))
        let written = try server.written()
        let status = try #require(try trailers(written, stream: 1))
        #expect(status.code == RPCError.Code.resourceExhausted.rawValue)
        #expect(status.message == Self.oversizedMessage)
        let away = try #require(try goAway(written))
        #expect(away.code == RPCError.Code.resourceExhausted.rawValue)
        #expect(away.message == Self.oversizedMessage + "; the connection closes rather than read it")
        #expect(!server.isOpen)
        #expect(server.abuse.count(.oversizedRequest) == 1)
    }

    @Test("a request over max_request_size beside another open call is read past unbuffered; the connection goes on")
    func oversizedRequestReadPast() throws {
        let server = try Server { $0.maxRequestSize = 1024 }
        try server.send(clientOpening)
        try server.send([headersFrame(1, "/test.Echo/Unary")])  // still waiting for its request
        try server.channel.writeInbound(oversizedRequest(stream: 3, length: 100_000, sent: 40_000))
        let status = try #require(try trailers(server.written(), stream: 3))
        #expect(status.code == RPCError.Code.resourceExhausted.rawValue)
        #expect(status.message == Self.oversizedMessage)
        #expect(server.abuse.count(.oversizedRequest) == 1)
        var rest = ByteBuffer()
        rest.writeRepeatingByte(0x61, count: 60_000)
        try server.channel.writeInbound(rest)
        // The skipped payload is over: frames are read again, and no frame is left started.
        try server.send([Self.ping])
        #expect(try server.written().contains { $0.type == .ping && $0.flags.contains(.ack) })
        server.advance(.seconds(31))
        #expect(server.isOpen)
        #expect(try goAway(server.written()) == nil)
    }

    @Test("a request being read past still has to finish within the frame timeout")
    func oversizedRequestTrickled() throws {
        let server = try Server { $0.maxRequestSize = 1024 }
        try server.send(clientOpening)
        try server.send([headersFrame(1, "/test.Echo/Unary")])
        try server.channel.writeInbound(oversizedRequest(stream: 3, length: 100_000, sent: 40_000))
        server.advance(.seconds(29))
        #expect(server.isOpen)
        server.advance(.seconds(1))
        #expect(
            try goAway(server.written())?.message == "a frame started 30 s ago is still incomplete; the limit is 30 s"
        )
        #expect(!server.isOpen)
    }

    @Test("a control frame too large for its type closes the connection from its header, before its payload")
    func controlFrameRefusedFromHeader() throws {
        for (type, length, message) in [
            (FrameType.goAway, 1 << 20, "GOAWAY payload of 1048576 bytes exceeds the max_header_size of 16384"),
            (.ping, 9, "PING must carry 8 bytes on stream 0 (stream 0, 9 bytes)"),
            (.settings, 20_000, "SETTINGS payload of 20000 bytes exceeds the max_header_size of 16384"),
        ] {
            let server = try Server()
            try server.send(clientOpening)
            try server.channel.writeInbound(frameHeader(type, length: length))  // the header alone
            let away = try #require(try goAway(server.written()), "\(type)")
            #expect(away.code == RPCError.Code.internal.rawValue)
            #expect(away.message == message)
            #expect(!server.isOpen)
        }
    }

    @Test("a MESSAGE on a stream never opened closes the connection from its header")
    func messageOnUnopenedStream() throws {
        let server = try Server()
        try server.send(clientOpening)
        try server.channel.writeInbound(frameHeader(.message, length: 1 << 20, stream: 7))
        #expect(try goAway(server.written())?.message == "MESSAGE on stream 7, which was never opened")
        #expect(!server.isOpen)
    }

    @Test("a frame of a type this version does not know is read past unbuffered; the connection goes on")
    func unknownTypeReadPast() throws {
        let server = try Server()
        try server.send(clientOpening)
        var bytes = frameHeader(FrameType(rawValue: 0x2A), length: 1 << 20)
        bytes.writeRepeatingByte(0, count: 1 << 20)
        try server.channel.writeInbound(bytes)
        try server.send([Self.ping])
        let written = try server.written()
        #expect(written.contains { $0.type == .ping && $0.flags.contains(.ack) })
        #expect(try goAway(written) == nil)
        #expect(server.isOpen)
    }

    @Test("a request of exactly max_request_size is taken")
    func requestWithinLimit() throws {
        let server = try Server { $0.maxRequestSize = 1024 }
        try server.send(clientOpening)
        try server.channel.writeInbound(oversizedRequest(stream: 1, length: 1024, sent: 1024))
        #expect(try trailers(server.written(), stream: 1)?.code != RPCError.Code.resourceExhausted.rawValue)
        #expect(server.abuse.count(.oversizedRequest) == 0)
        #expect(server.isOpen)
    }

    @Test("the idle timeout closes a connection with no calls")
    func idle() throws {
        let server = try Server { $0.idleTimeout = .seconds(60) }
        try server.send(clientOpening)
        server.advance(.seconds(59))
        #expect(server.isOpen)
        server.advance(.seconds(1))
        #expect(try goAway(server.written())?.code == 0)
        #expect(!server.isOpen)
    }

    @Test("a maximum connection age sends GOAWAY 0 and closes")
    func maxAge() throws {
        let server = try Server { $0.maxConnectionAge = .seconds(30) }
        try server.send(clientOpening)
        server.advance(.seconds(30))
        #expect(
            try goAway(server.written())?.message
                == "the connection reached its maximum age of 30 s; reconnect for new calls"
        )
        #expect(!server.isOpen)
    }

    @Test("while the channel is not writable the server withholds read(), and reads again once it is")
    func readsPauseWhileNotWritable() throws {
        let server = try Server()
        try server.send(clientOpening)
        let before = server.reads.reads
        server.channel.read()
        #expect(server.reads.reads == before + 1)
        server.channel.isWritable = false
        server.channel.pipeline.fireChannelWritabilityChanged()
        server.channel.read()
        server.channel.read()
        #expect(server.reads.reads == before + 1)
        server.channel.isWritable = true
        server.channel.pipeline.fireChannelWritabilityChanged()
        #expect(server.reads.reads == before + 2)
    }

    @Test("answers held for a client that does not read: over max_unsent_calls the connection ends with GOAWAY 8")
    func unsentCallsBound() throws {
        let server = try Server {
            $0.maxUnsentCalls = 50; $0.connection.maxQueuedBytes = 1 << 30
        }
        try server.send(clientOpening)
        _ = try server.written()
        server.channel.isWritable = false
        server.channel.pipeline.fireChannelWritabilityChanged()
        try server.send((0..<40).map { headersFrame(UInt32($0 * 2 + 1), "/test.Nope") })
        #expect(server.isOpen)
        #expect(try server.written().isEmpty)  // held, not written
        try server.send((40..<60).map { headersFrame(UInt32($0 * 2 + 1), "/test.Nope") })
        let away = try #require(try goAway(server.written()))
        #expect(away.code == RPCError.Code.resourceExhausted.rawValue)
        #expect(
            away.message
                == "the client is not reading its responses: 60 answered calls wait to be sent, over the limit of 50"
        )
        #expect(!server.isOpen)
        #expect(server.abuse.count(.slowReader) == 1)
    }

    @Test("bytes held for a client that does not read: over max_queued_bytes the connection ends with GOAWAY 8")
    func queuedBytesBound() throws {
        let server = try Server { $0.connection.maxQueuedBytes = 4096 }
        try server.send(clientOpening)
        _ = try server.written()
        server.channel.isWritable = false
        server.channel.pipeline.fireChannelWritabilityChanged()
        try server.send((0..<100).map { headersFrame(UInt32($0 * 2 + 1), "/test.Nope") })
        let away = try #require(try goAway(server.written()))
        #expect(away.message.hasPrefix("the client is not reading its responses: "))
        #expect(away.message.hasSuffix("bytes wait to be sent, over the limit of 4096"))
        #expect(!server.isOpen)
    }

    @Test("while the channel is not writable no handler starts, and the background gate holds the connection's calls")
    func noHandlerWhileNotWritable() throws {
        let server = try Server()
        try server.send(clientOpening)
        _ = try server.written()
        server.channel.isWritable = false
        server.channel.pipeline.fireChannelWritabilityChanged()
        #expect(server.budget.backgroundCalls.isPaused(connection: server.handler.gateID))
        try server.send([
            headersFrame(1, "/test.Echo/Unary"), messageFrame(1, echoRequest("a")),
            headersFrame(3, "/test.Echo/Unary"), messageFrame(3, echoRequest("b")),
        ])
        server.channel.embeddedEventLoop.run()
        #expect(server.handler.executingUnary == 0 && server.handler.waitingToExecute.count == 2)
        #expect(server.handler.streams[1]?.task == nil && server.handler.streams[3]?.task == nil)
        #expect(try server.written().isEmpty)
        server.channel.isWritable = true
        server.channel.pipeline.fireChannelWritabilityChanged()
        #expect(!server.budget.backgroundCalls.isPaused(connection: server.handler.gateID))
        #expect(server.handler.waitingToExecute.isEmpty)
        server.channel.embeddedEventLoop.run()
        let written = try server.written()
        #expect(try trailers(written, stream: 1)?.code == RPCError.Code.ok.rawValue)
        #expect(try trailers(written, stream: 3)?.code == RPCError.Code.ok.rawValue)
    }

    @Test("held frames that fill the channel again as it drains keep the connection's calls paused")
    func refilledWhileDraining() throws {
        let server = try Server()
        try server.send(clientOpening)
        _ = try server.written()
        server.channel.isWritable = false
        server.channel.pipeline.fireChannelWritabilityChanged()
        try server.send([headersFrame(1, "/test.Nope")])  // its TRAILERS are held
        let before = server.reads.reads
        server.channel.read()  // withheld
        server.reads.fillOnNextWrite = true
        server.channel.isWritable = true
        server.channel.pipeline.fireChannelWritabilityChanged()  // the held TRAILERS fill it again
        #expect(!server.channel.isWritable)
        #expect(server.budget.backgroundCalls.isPaused(connection: server.handler.gateID))
        #expect(server.reads.reads == before, "read while the channel was full")
    }

    @Test("a channel that stays unwritable for the send stall timeout ends with GOAWAY 8")
    func sendStall() throws {
        let server = try Server { $0.sendStallTimeout = .seconds(20) }
        try server.send(clientOpening)
        _ = try server.written()
        server.channel.isWritable = false
        server.channel.pipeline.fireChannelWritabilityChanged()
        server.advance(.seconds(19))
        #expect(server.isOpen)
        server.advance(.seconds(1))
        let away = try #require(try goAway(server.written()))
        #expect(away.code == RPCError.Code.resourceExhausted.rawValue)
        #expect(
            away.message == "the client is not reading its responses: nothing could be sent for 20 s; the limit is 20 s"
        )
        #expect(!server.isOpen)
        #expect(server.abuse.count(.slowReader) == 1)
    }

    @Test("held answers are written once the channel is writable again")
    func heldAnswersFlow() throws {
        let server = try Server()
        try server.send(clientOpening)
        _ = try server.written()
        server.channel.isWritable = false
        server.channel.pipeline.fireChannelWritabilityChanged()
        try server.send([headersFrame(1, "/test.Nope")])
        #expect(try server.written().isEmpty)
        server.channel.isWritable = true
        server.channel.pipeline.fireChannelWritabilityChanged()
        #expect(try trailers(server.written(), stream: 1)?.code == RPCError.Code.unimplemented.rawValue)
    }

    // MARK: - The client's side of §4

    struct Client {
        let channel: EmbeddedChannel
        let handler: ClientConnectionHandler

        init() throws {
            handler = ClientConnectionHandler(configuration: .defaults, ready: nil)
            channel = EmbeddedChannel()
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            var opening = ByteBuffer()
            Frame(type: .settings, streamID: 0).write(to: &opening)
            try channel.writeInbound(opening)
            while try channel.readOutbound(as: ByteBuffer.self) != nil {}
        }

        /// Sends a frame from the "server" and returns the client's GOAWAY, if it sent one.
        func receive(_ frame: Frame) throws -> RPCMessages.GoAway? {
            var buffer = ByteBuffer()
            frame.write(to: &buffer)
            try channel.writeInbound(buffer)
            var bytes = ByteBuffer()
            while var chunk = try channel.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&chunk) }
            var decoder = FrameDecoder(limits: .init(), expectsPreface: false)
            while case .frame(let frame)? = try decoder.decode(buffer: &bytes) {
                if frame.type == .goAway { return try RPCMessages.GoAway(decoding: frame.payload) }
            }
            return nil
        }
    }

    @Test(
        "the client ends the connection with GOAWAY 13 on frames §4 forbids",
        arguments: [
            (Frame(type: .headers, streamID: 1), "HEADERS sent by a server; only clients send HEADERS"),
            (Frame(type: .settings, streamID: 3), "SETTINGS on stream 3; it belongs on stream 0"),
            (
                Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [1, 2, 3])),
                "PING must carry 8 bytes on stream 0 (stream 0, 3 bytes)"
            ),
            (
                Frame(type: .goAway, streamID: 0, payload: ByteBuffer(bytes: [0xFF])),
                "GOAWAY payload is not a valid roster.rpc.v1.GoAway"
            ),
        ]
    )
    func clientEnforcesFrameRules(frame: Frame, message: String) throws {
        let client = try Client()
        let away = try #require(try client.receive(frame))
        #expect(away.code == RPCError.Code.internal.rawValue)
        #expect(away.message.contains(message), "\(away.message)")
        #expect(!client.channel.isActive)
        #expect(!client.handler.isUsable)
    }

    @Test("client keepalive on virtual time: PING after 30 s of silence, close 10 s later without an answer")
    func clientKeepalive() throws {
        let client = try Client()
        client.channel.embeddedEventLoop.advanceTime(by: .seconds(30))
        var bytes = ByteBuffer()
        while var chunk = try client.channel.readOutbound(as: ByteBuffer.self) { bytes.writeBuffer(&chunk) }
        var decoder = FrameDecoder(limits: .init(), expectsPreface: false)
        guard case .frame(let ping)? = try decoder.decode(buffer: &bytes) else { Issue.record("no PING"); return }
        #expect(ping.type == .ping)
        client.channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(client.channel.isActive)
        client.channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!client.channel.isActive)
        #expect(!client.handler.isUsable)
    }

    @Test("the client answers an 8-byte PING and ignores unknown frame types")
    func clientPing() throws {
        let client = try Client()
        #expect(
            try client.receive(Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])))
                == nil
        )
        #expect(try client.receive(Frame(type: FrameType(rawValue: 0x33), streamID: 2)) == nil)
        #expect(client.channel.isActive)
    }
}
