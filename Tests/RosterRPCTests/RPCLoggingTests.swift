import Logging
import NIOCore
import RecordingLogs
import RosterRPC
import Testing

@Suite("RPC logging")
struct RPCLoggingTests {
    static func server(level: Logger.Level, tls: Bool) async throws -> (TestServer, RecordingLogHandler) {
        let handler = RecordingLogHandler(level: level)
        let logger = Logger.recording(handler)
        let server = try await TestServer.start(tls: tls) { $0.logger = logger }
        return (server, handler)
    }

    @Test("at debug, a TLS failure is logged with the peer and the error; a connection's open and close too")
    func tlsFailureAtDebug() async throws {
        let (server, log) = try await Self.server(level: .debug, tls: true)
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(await raw.waitForClose())
        try await eventually { log.lines.contains { $0.message == "connection closed" } }
        let failed = log.lines.first { $0.message == "connection failed" }
        #expect(failed?.level == .debug)
        #expect(failed?.metadata[rpc: .error].map { "\($0)" }?.isEmpty == false)
        #expect(failed?.metadata[rpc: .peer].map { "\($0)" }?.contains("127.0.0.1") == true)
        #expect(failed?.metadata[rpc: .connection] != nil)
        #expect(log.lines.contains { $0.message == "connection opened" })
        await server.server.shutdown()
    }

    @Test("at debug, a GOAWAY the server sends names its code and reason")
    func goAwayAtDebug() async throws {
        let (server, log) = try await Self.server(level: .debug, tls: false)
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(await raw.waitForClose())
        try await eventually { log.lines.contains { $0.message == "closing the connection with GOAWAY" } }
        let goAway = log.lines.first { $0.message == "closing the connection with GOAWAY" }
        #expect(goAway?.metadata[rpc: .code].map { "\($0)" } == "\(RPCError.Code.internal)")
        #expect(goAway?.metadata[rpc: .reason].map { "\($0)" }?.contains("preface") == true)
        await server.server.shutdown()
    }

    @Test("at the default level (info) a connection's life writes nothing; only the abuse warning")
    func quietAtInfo() async throws {
        let (server, log) = try await Self.server(level: .info, tls: false)
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(await raw.waitForClose())
        try await eventually { !log.lines.isEmpty }
        #expect(log.lines.allSatisfy { $0.level >= .warning }, "\(log.lines.map(\.message))")
        await server.server.shutdown()
    }
}
