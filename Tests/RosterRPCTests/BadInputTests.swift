import Foundation
import NIOCore
import RosterBenchMessages
import RosterRPC
import RosterWire
import Synchronization
import Testing

/// PROTOCOL.md's answers to bad input, each followed by proof that the server still serves.
@Suite("Bad input never crashes the server")
struct BadInputTests {
    @Test("garbage instead of the preface gets GOAWAY naming the preface, then close")
    func garbagePreface() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let goAway = try #require(await raw.goAway())
        #expect(goAway.code == RPCError.Code.internal.rawValue)
        #expect(goAway.message.contains("expected the Roster preface"))
        #expect(await raw.waitForClose())
        try await server.expectServing()
        await server.server.shutdown()
    }

    @Test("a frame length of 4 GiB is refused from its header with RESOURCE_EXHAUSTED")
    func hugeLength() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening + [0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0, 0, 0, 1])
        let goAway = try #require(await raw.goAway())
        #expect(goAway.code == RPCError.Code.resourceExhausted.rawValue)
        #expect(goAway.message == "MESSAGE frame payload of 4294967295 bytes exceeds the max_frame_size of 4194304")
        #expect(await raw.waitForClose())
        try await server.expectServing()
        await server.server.shutdown()
    }

    @Test("a truncated frame followed by a hang-up leaves the server unharmed")
    func truncatedFrame() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening + [0, 0, 0, 50, 0x01, 0, 0, 0, 0, 1, 0x0A, 0x05])
        raw.close()
        try await server.expectServing()
        await server.server.shutdown()
    }

    @Test("unknown frame types are ignored and the call beside them succeeds")
    func unknownFrameType() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        try await raw.send([
            Frame(
                type: FrameType(rawValue: 0x42),
                flags: FrameFlags(rawValue: 0xFF),
                streamID: 7,
                payload: ByteBuffer(bytes: [1, 2, 3])
            ),
            headersFrame(1, "/test.Echo/Unary"),
            messageFrame(1, echoRequest("fine")),
        ])
        let status = try #require(await raw.trailers(stream: 1))
        #expect(status.code == 0)
        await server.server.shutdown()
    }

    @Test("frames on closed streams are ignored; a MESSAGE on a never-opened stream ends the connection")
    func closedStreams() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        try await raw.send([headersFrame(1, "/test.Echo/Unary"), messageFrame(1, echoRequest("one"))])
        _ = try #require(await raw.trailers(stream: 1))
        var increment = ByteBuffer()
        increment.writeInteger(UInt32(100))
        try await raw.send([
            messageFrame(1, echoRequest("late")),
            Frame(type: .cancel, streamID: 1),
            Frame(type: .windowUpdate, streamID: 1, payload: increment),
            headersFrame(3, "/test.Echo/Unary"), messageFrame(3, echoRequest("three")),
        ])
        #expect(try #require(await raw.trailers(stream: 3)).code == 0)
        try await raw.send([messageFrame(9, echoRequest("never opened"))])
        let goAway = try #require(await raw.goAway())
        #expect(goAway.message == "MESSAGE on stream 9, which was never opened")
        #expect(await raw.waitForClose())
        try await server.expectServing()
        await server.server.shutdown()
    }

    @Test(
        "a MESSAGE on stream 0 and a GOAWAY that is not protobuf end the connection",
        arguments: [
            Frame(type: .message, flags: .endStream, streamID: 0, payload: ByteBuffer(bytes: [0x0A, 0x00])),
            Frame(type: .goAway, streamID: 0, payload: ByteBuffer(bytes: [0x1A, 0x05, 0x61])),
        ]
    )
    func malformedConnectionFrames(frame: Frame) async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        try await raw.send([frame])
        let goAway = try #require(await raw.goAway())
        #expect(goAway.code == RPCError.Code.internal.rawValue)
        #expect(await raw.waitForClose())
        try await server.expectServing()
        await server.server.shutdown()
    }

    @Test("a request that is not valid protobuf is INVALID_ARGUMENT, with the decoder's reason")
    func invalidProtobuf() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        try await raw.send([
            headersFrame(1, "/test.Echo/Unary"),
            Frame(type: .message, flags: .endStream, streamID: 1, payload: ByteBuffer(bytes: [0x0A, 0x09, 0x61])),
        ])
        let status = try #require(await raw.trailers(stream: 1))
        #expect(status.code == RPCError.Code.invalidArgument.rawValue)
        #expect(status.message.contains("peerbench.ListGroupsRequest field 1 (byte 1): length 9 runs past the end"))
        try await server.expectServing()
        await server.server.shutdown()
    }

    @Test("invalid UTF-8 in a request string is INVALID_ARGUMENT")
    func invalidUTF8() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        try await raw.send([
            headersFrame(1, "/test.Echo/Unary"),
            Frame(
                type: .message,
                flags: .endStream,
                streamID: 1,
                payload: ByteBuffer(bytes: [0x0A, 0x02, 0xC3, 0x28])
            ),
        ])
        let status = try #require(await raw.trailers(stream: 1))
        #expect(status.code == RPCError.Code.invalidArgument.rawValue)
        #expect(status.message.contains("not valid UTF-8"))
        await server.server.shutdown()
    }

    @Test("call metadata over max_header_size is skipped unbuffered and answered RESOURCE_EXHAUSTED")
    func oversizedMetadata() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        try await raw.send([
            headersFrame(1, "/test.Echo/Unary", metadata: ["x-big": String(repeating: "v", count: 20_000)])
        ])
        let status = try #require(await raw.trailers(stream: 1))
        #expect(status.code == RPCError.Code.resourceExhausted.rawValue)
        #expect(status.message.contains("exceeds the max_header_size of 16384"))
        try await raw.send([headersFrame(3, "/test.Echo/Unary"), messageFrame(3, echoRequest("next"))])
        #expect(try #require(await raw.trailers(stream: 3)).code == 0)
        await server.server.shutdown()
    }

    @Test("a client ignoring max_concurrent_streams gets RESOURCE_EXHAUSTED for the extra call only")
    func streamLimitFromRawClient() async throws {
        let server = try await TestServer.start { $0.limits.connection.maxConcurrentStreams = 2 }
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        try await raw.send([
            headersFrame(1, "/test.Echo/Sleep"), messageFrame(1, echoRequest("", limit: 300)),
            headersFrame(3, "/test.Echo/Sleep"), messageFrame(3, echoRequest("", limit: 300)),
            headersFrame(5, "/test.Echo/Unary"), messageFrame(5, echoRequest("third")),
        ])
        let refused = try #require(await raw.trailers(stream: 5))
        #expect(refused.code == RPCError.Code.resourceExhausted.rawValue)
        #expect(refused.message.contains("the limit is 2"))
        #expect(try #require(await raw.trailers(stream: 1)).code == 0)
        #expect(try #require(await raw.trailers(stream: 3)).code == 0)
        await server.server.shutdown()
    }

    @Test("a PING is echoed with ACK; more than 10 in a second is a flood answered with GOAWAY")
    func pings() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        let payload = ByteBuffer(bytes: [1, 2, 3, 4, 5, 6, 7, 8])
        try await raw.send([Frame(type: .ping, streamID: 0, payload: payload)])
        let ack = try #require(await raw.waitForFrame { $0.type == .ping })
        #expect(ack.flags.contains(.ack))
        #expect(ack.payload == payload)
        try await raw.send(Array(repeating: Frame(type: .ping, streamID: 0, payload: payload), count: 11))
        let goAway = try #require(await raw.goAway())
        #expect(goAway.code == RPCError.Code.resourceExhausted.rawValue)
        #expect(goAway.message == "too many PINGs: more than 10 in one second")
        #expect(await raw.waitForClose())
        await server.server.shutdown()
    }

    @Test("a metadata key breaking the rules is INVALID_ARGUMENT")
    func badMetadataKey() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        try await raw.send([
            headersFrame(1, "/test.Echo/Unary", metadata: ["Bad Key": "v"]), messageFrame(1, echoRequest("x")),
        ])
        #expect(try #require(await raw.trailers(stream: 1)).code == RPCError.Code.invalidArgument.rawValue)
        await server.server.shutdown()
    }

    @Test("a client that connects and sends nothing is closed after the handshake timeout")
    func silentClient() async throws {
        let server = try await TestServer.start { $0.limits.handshakeTimeout = .seconds(1) }
        let raw = try await RawConnection.connect(port: server.port)
        #expect(await raw.waitForClose(seconds: 120))
        let goAway = try #require(await raw.goAway(seconds: 0.1))
        #expect(goAway.code == RPCError.Code.deadlineExceeded.rawValue)
        try await server.expectServing()
        await server.server.shutdown()
    }

    @Test("a client that stops reading a stream makes the server hold at most one window")
    func stalledReader() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port, autoRead: false)
        var request = PeerBench.WatchProgressRequest()
        request.count = 1_000_000
        try await raw.send(clientOpening)
        try await raw.send([headersFrame(1, "/test.Echo/Stream"), messageFrame(1, request)])
        // Updates are 37 to 42 bytes: the window is used up after at least 262,144 / 42 of them.
        // Wait for that event (not for a start-up window), then until the count holds still.
        try await eventually { server.observations.streamed.load(ordering: .relaxed) >= 262_144 / 42 }
        var last = server.observations.streamed.load(ordering: .relaxed)
        while true {
            try await Task.sleep(nanoseconds: 200_000_000)
            let now = server.observations.streamed.load(ordering: .relaxed)
            if now == last { break }
            last = now
        }
        // The default window is 262,144 bytes, plus one message.
        let limit = 262_144 / 37 + 1
        #expect(last > 0)
        #expect(last <= limit, "the server sent \(last) messages without credit; the window allows \(limit)")
        raw.close()
        try await eventually { server.observations.cancelledHandlers.load(ordering: .relaxed) == 1 }
        await server.server.shutdown()
    }

    @Test(
        "§10: a stream's sender stops when the window is spent and resumes by exactly the credit a WINDOW_UPDATE returns"
    )
    func creditReturn() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        var request = PeerBench.WatchProgressRequest()
        request.count = 1_000_000
        try await raw.send(clientOpening)
        try await raw.send([headersFrame(1, "/test.Echo/Stream"), messageFrame(1, request)])
        func received() -> Int {
            raw.frames().filter { $0.type == .message && $0.streamID == 1 }.reduce(0) { $0 + $1.payload.readableBytes }
        }
        // The server may send while the window is above 0: it stops within one message past 262,144 bytes.
        try await eventually { received() >= 262_144 }
        #expect(received() <= 262_144 + 42)
        // Return 100,000 bytes of credit: it sends that much more (within one message), then waits again.
        var increment = ByteBuffer()
        increment.writeInteger(UInt32(100_000))
        try await raw.send([Frame(type: .windowUpdate, streamID: 1, payload: increment)])
        // It stops again only once the window is spent again: after 362,144 bytes in all.
        try await eventually { received() >= 262_144 + 100_000 }
        // A PING answered means the server has handled the WINDOW_UPDATE before it (frames are handled in order).
        try await raw.send([Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [9, 9, 9, 9, 9, 9, 9, 9]))])
        #expect(await raw.waitForFrame { $0.type == .ping && $0.flags.contains(.ack) } != nil)
        #expect(received() <= 262_144 + 100_000 + 42, "the server sent \(received()) bytes for 362,144 bytes of credit")
        raw.close()
        try await eventually { server.observations.cancelledHandlers.load(ordering: .relaxed) == 1 }
        await server.server.shutdown()
    }

    @Test("§13: over TLS, a client that never completes the TLS handshake is closed after the handshake timeout")
    func tlsHandshakeTimeout() async throws {
        let server = try await TestServer.start(tls: true) { $0.limits.handshakeTimeout = .seconds(1) }
        let raw = try await RawConnection.connect(port: server.port)
        // Half a ClientHello's record header: the TLS handshake starts and never ends. (On a
        // loaded machine the timeout may already have closed the connection: that is no failure.)
        try? await raw.send([0x16, 0x03, 0x01])
        #expect(await raw.waitForClose(seconds: 120), "the connection outlived the handshake timeout")
        try await eventually { server.server.abuse.count(.handshakeTimeout) == 1 }
        await server.server.shutdown()
    }

    @Test("2,000 idle connections are held, and the server still answers")
    func idleConnections() async throws {
        raiseOpenFileLimit()
        let server = try await TestServer.start()
        var connections: [RawConnection] = []
        for _ in 0..<2000 {
            let raw = try await RawConnection.connect(port: server.port)
            try await raw.send(clientOpening)
            connections.append(raw)
        }
        try await eventually { server.server.connectionCount == 2000 }
        try await server.expectServing()
        for raw in connections { raw.close() }
        try await eventually { server.server.connectionCount == 0 }
        await server.server.shutdown()
    }

    @Test("connections over the limit get GOAWAY RESOURCE_EXHAUSTED")
    func connectionLimit() async throws {
        let server = try await TestServer.start { $0.limits.maxConnections = 2 }
        let first = try await RawConnection.connect(port: server.port)
        let second = try await RawConnection.connect(port: server.port)
        try await eventually { server.server.connectionCount == 2 }
        let third = try await RawConnection.connect(port: server.port)
        let goAway = try #require(await third.goAway())
        #expect(goAway.code == RPCError.Code.resourceExhausted.rawValue)
        #expect(goAway.message.contains("the limit is 2"))
        first.close()
        second.close()
        await server.server.shutdown()
    }
}

/// Lets one test process hold thousands of sockets (both ends of each connection).
func raiseOpenFileLimit() {
    var limit = rlimit()
    getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    limit.rlim_cur = min(limit.rlim_max, 65_536)
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
