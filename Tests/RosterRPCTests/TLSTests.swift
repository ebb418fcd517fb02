import ChildProcesses
import Foundation
import RosterBenchMessages
import RosterClient
import RosterRPC
import RosterWire
import Testing

@Suite("TLS")
struct TLSTests {
    @Test("a call over TLS 1.3 with ALPN roster/1 and a verified certificate")
    func tlsCall() async throws {
        let server = try await TestServer.start(tls: true)
        try await server.expectServing(tls: true)
        await server.server.shutdown()
    }

    @Test("a server certificate from an untrusted CA is refused, with OpenSSL's reason")
    func untrustedServer() async throws {
        let server = try await TestServer.start(tls: true)
        let client = try server.client(tls: true, caFile: TestCertificates.path("other-ca.pem"))
        do {
            _ = try await client.unary(
                "/test.Echo/Unary",
                request: echoRequest("x"),
                response: PeerBench.ListGroupsResponse.self
            )
            Issue.record("the call succeeded")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("certificate did not verify"), "\(error.message)")
        }
        await client.close()
        await server.server.shutdown()
    }

    @Test("plain HTTP sent to the TLS port is refused and the server goes on")
    func plainHTTPToTLSPort() async throws {
        let server = try await TestServer.start(tls: true)
        let raw = try await RawConnection.connect(port: server.port)
        // On a loaded machine the server may already have closed the connection (no ClientHello
        // within its handshake timeout) before the bytes go out: refused either way.
        try? await raw.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(await raw.waitForClose())
        try await server.expectServing(tls: true)
        await server.server.shutdown()
    }

    @Test("mutual TLS: a client certificate's identity reaches the handler; no certificate, no call")
    func mutualTLS() async throws {
        let server = try await TestServer.start(tls: true, clientCA: true)
        let withCertificate = try server.client(tls: true, clientCertificate: true)
        let response = try await withCertificate.unary(
            "/test.Echo/Unary",
            request: echoRequest("me"),
            response: PeerBench.ListGroupsResponse.self
        )
        #expect(response.groups[0].id == "/CN=ops-laptop")
        await withCertificate.close()

        let without = try server.client(tls: true)
        await #expect(throws: RPCError.self) {
            try await without.unary(
                "/test.Echo/Unary",
                request: echoRequest("me"),
                response: PeerBench.ListGroupsResponse.self
            )
        }
        await without.close()
        await server.server.shutdown()
    }

    @Test("openssl s_client: TLS 1.3 with ALPN roster/1 connects; TLS 1.1 and a missing ALPN fail")
    func opensslClient() async throws {
        let server = try await TestServer.start(tls: true)
        let ca = try TestCertificates.path("ca.pem")
        let good = try await sClient(["-tls1_3", "-alpn", "roster/1", "-CAfile", ca], port: server.port)
        #expect(good.contains("New, TLSv1.3"))
        #expect(good.contains("ALPN protocol: roster/1"))
        #expect(good.contains("Verify return code: 0 (ok)"))
        // OpenSSL 3 refuses TLS 1.1 on its own unless the security level is lowered.
        let old = try await sClient(["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"], port: server.port)
        #expect(old.contains("alert protocol version") || old.contains("Cipher is (NONE)"))
        #expect(!old.contains("New, TLSv1.1"))
        let noALPN = try await sClient(["-tls1_3", "-CAfile", ca], port: server.port)
        #expect(noALPN.contains("no application protocol"))
        try await server.expectServing(tls: true)
        await server.server.shutdown()
    }

    private func sClient(_ arguments: [String], port: Int) async throws -> String {
        try await ChildProcess.tool(
            "openssl",
            ["s_client", "-connect", "127.0.0.1:\(port)"] + arguments,
            mergingErrors: true
        ).run().outputText
    }
}
