import NIOCore
import NIOPosix
import RosterServer
import Synchronization
import Testing

/// The metrics listener's own bounds, with a short request timeout.
@Suite("Metrics listener")
struct MetricsListenerTests {
    @Test("a connection that sends no request head, or half of one, is closed after the request timeout")
    func silentAndPartialConnectionsAreClosed() async throws {
        let listener = try await MetricsListener.bind(host: "127.0.0.1", port: 0, requestTimeout: .milliseconds(500)) {
            Array("roster_up 1\n".utf8)
        }
        let port = try #require(listener.localAddress?.port)
        for bytes in ["", "GET /metr"] {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(host: "127.0.0.1", port: port).get()
            // Under load the timeout may close it before the write: closed by the listener either way.
            if !bytes.isEmpty { try? await channel.writeAndFlush(ByteBuffer(string: bytes)) }
            // Bounded: without the timeout the listener never closes; the guard then does, and says so.
            let guardFired = Flag()
            let guardTask = Task {
                try await Task.sleep(for: .seconds(10))
                guardFired.set()
                try await channel.close()
            }
            try await channel.closeFuture.get()
            guardTask.cancel()
            #expect(!guardFired.isSet, "the listener left open a connection that sent \"\(bytes)\"")
        }
        await listener.close()
    }
}

private final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
