import Foundation
import NIOCore
import RosterRPC
import Testing

/// RPCServer's life: it starts once; shutdown is safe at any time and more than once.
@Suite("RPCServer lifecycle")
struct RPCServerLifecycleTests {
    @Test("a second start() is a programming error: the process traps, saying a server starts once")
    func secondStartTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let server = try RPCServer(configuration: .init(host: "127.0.0.1", port: 0, tls: nil), router: RPCRouter())
            try await server.start()
            _ = try? await server.start()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("a server starts once"))
    }

    @Test("a start() after shutdown() traps too: a stopped server does not come back")
    func startAfterShutdownTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let server = try RPCServer(configuration: .init(host: "127.0.0.1", port: 0, tls: nil), router: RPCRouter())
            await server.shutdown()
            _ = try? await server.start()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("a server starts once"))
    }

    @Test("shutdown() twice returns, and the second does nothing")
    func shutdownTwice() async throws {
        let server = try RPCServer(configuration: .init(host: "127.0.0.1", port: 0, tls: nil), router: RPCRouter())
        let address = try await server.start()
        #expect(address.port != nil)
        await server.shutdown()
        await server.shutdown()
        #expect(server.connectionCount == 0)
    }
}
