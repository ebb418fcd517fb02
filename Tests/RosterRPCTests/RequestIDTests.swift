import Logging
import NIOCore
import RecordingLogs
import RosterBenchMessages
import RosterClient
import RosterRPC
import RosterWire
import Testing

@Suite("Request ids")
struct RequestIDTests {
    /// A plaintext server logging at trace into a recording handler.
    static func server() async throws -> (TestServer, RecordingLogHandler) {
        let handler = RecordingLogHandler(level: .trace)
        let logger = Logger.recording(handler)
        let server = try await TestServer.start { $0.logger = logger }
        return (server, handler)
    }

    /// Opens a raw connection (with `settings` in its SETTINGS), makes one call on stream 1 and
    /// returns its TRAILERS.
    static func call(
        _ server: TestServer,
        _ method: String,
        metadata: [String: String],
        query: String = "nope",
        settings: RPCMessages.Settings = RPCMessages.Settings()
    ) async throws -> RPCMessages.Status {
        let raw = try await RawConnection.connect(port: server.port)
        defer { raw.close() }
        var opening = ByteBuffer(bytes: ConnectionPreface.bytes)
        var payload = ByteBuffer()
        settings.encode(into: &payload)
        Frame(type: .settings, streamID: 0, payload: payload).write(to: &opening)
        try await raw.send(Array(opening.readableBytesView))
        try await raw.send([headersFrame(1, method, metadata: metadata), messageFrame(1, echoRequest(query))])
        return try #require(await raw.trailers(stream: 1))
    }

    /// The "call ended" line of the call on stream 1.
    static func callEnded(_ log: RecordingLogHandler) async throws -> RecordingLogHandler.Line {
        try await eventually { log.lines.contains { $0.message == "call ended" } }
        return try #require(log.lines.first { $0.message == "call ended" })
    }

    static func isGenerated(_ id: String?) -> Bool {
        guard let id else { return false }
        return id.count == 16 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    @Test("a failed call returns the client's x-request-id in its TRAILERS, and its trace line carries it")
    func clientsIDComesBack() async throws {
        let (server, log) = try await Self.server()
        let status = try await Self.call(server, "/test.Echo/Fail", metadata: ["x-request-id": "abc-123"])
        #expect(status.code == RPCError.Code.failedPrecondition.rawValue)
        #expect(status.metadata == ["x-request-id": "abc-123"])
        let ended = try await Self.callEnded(log)
        #expect(ended.metadata[rpc: .requestID] == "abc-123")
        await server.server.shutdown()
    }

    @Test("a call without x-request-id gets a generated one, the same in TRAILERS and in the log")
    func generatedWhenAbsent() async throws {
        let (server, log) = try await Self.server()
        let status = try await Self.call(server, "/test.Echo/Fail", metadata: [:])
        let id = status.metadata["x-request-id"]
        #expect(Self.isGenerated(id), "\(String(describing: id))")
        let ended = try await Self.callEnded(log)
        #expect(ended.metadata[rpc: .requestID].map { "\($0)" } == id)
        await server.server.shutdown()
    }

    @Test(
        "an invalid x-request-id is replaced by a generated one",
        arguments: ["", "has space", "é-accent", "tab\there", String(repeating: "a", count: 129)]
    )
    func invalidReplaced(_ sent: String) async throws {
        let (server, log) = try await Self.server()
        let status = try await Self.call(server, "/test.Echo/Fail", metadata: ["x-request-id": sent])
        let id = status.metadata["x-request-id"]
        #expect(id != sent)
        #expect(Self.isGenerated(id), "\(String(describing: id))")
        let ended = try await Self.callEnded(log)
        #expect(ended.metadata[rpc: .requestID].map { "\($0)" } == id)
        await server.server.shutdown()
    }

    @Test("128 visible ASCII characters are a valid request id")
    func longestValid() async throws {
        let (server, _) = try await Self.server()
        let sent = String(repeating: "~", count: 127) + "!"
        let status = try await Self.call(server, "/test.Echo/Fail", metadata: ["x-request-id": sent])
        #expect(status.metadata["x-request-id"] == sent)
        await server.server.shutdown()
    }

    @Test("the handler sees the request id; an OK call's TRAILERS carry no metadata")
    func handlerSeesIt() async throws {
        let (server, _) = try await Self.server()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        try await raw.send([
            headersFrame(1, "/test.Echo/RequestID", metadata: ["x-request-id": "req.42"]),
            messageFrame(1, echoRequest("x")),
        ])
        let status = try #require(await raw.trailers(stream: 1))
        #expect(status.code == 0)
        #expect(status.metadata.isEmpty)
        let message = try #require(raw.frames().first { $0.type == .message && $0.streamID == 1 })
        let response = try PeerBench.ListGroupsResponse(decoding: message.payload)
        #expect(response.groups.first?.displayName == "req.42")
        raw.close()
        await server.server.shutdown()
    }

    @Test("a call refused after its HEADERS were read (unknown method) returns the request id too")
    func refusalCarriesIt() async throws {
        let (server, _) = try await Self.server()
        let status = try await Self.call(server, "/test.Echo/Nope", metadata: ["x-request-id": "abc-123"])
        #expect(status.code == RPCError.Code.unimplemented.rawValue)
        #expect(status.metadata["x-request-id"] == "abc-123")
        await server.server.shutdown()
    }

    @Test("TRAILERS trimmed to a small max_header_size drop other metadata and the message's tail, not the request id")
    func survivesTrimming() async throws {
        let (server, _) = try await Self.server()
        var settings = RPCMessages.Settings()
        settings.maxHeaderSize = 512
        let status = try await Self.call(
            server,
            "/test.Echo/Fail",
            metadata: ["x-request-id": "abc-123"],
            query: String(repeating: "x", count: 2000),
            settings: settings
        )
        #expect(status.encodedSize <= 512)
        #expect(status.message.count < 2000)
        #expect(status.metadata == ["x-request-id": "abc-123"])
        await server.server.shutdown()
    }

    @Test("RosterClient's error exposes the request id it sent")
    func clientSeesIt() async throws {
        let (server, _) = try await Self.server()
        let client = try server.client()
        let error = await #expect(throws: RPCError.self) {
            try await client.connection().unary(
                "/test.Echo/Fail",
                request: echoRequest("nope"),
                response: PeerBench.ListGroupsResponse.self,
                metadata: ["x-request-id": "from-client-7"],
                timeout: nil
            )
        }
        #expect(error?.requestID == "from-client-7")
        await client.close()
        await server.server.shutdown()
    }
}
