import Logging
import NIOCore
import Testing

@testable import RosterRPC

@Suite("AbuseMonitor")
struct AbuseMonitorTests {
    let start = NIODeadline.uptimeNanoseconds(5_000_000_000)
    @Test("one warning line per cause per interval, counting what it did not log; every occurrence counted")
    func rateLimited() throws {
        let peer = try SocketAddress(ipAddress: "10.1.2.3", port: 50412)
        let monitor = AbuseMonitor(logger: Logger(label: "test"), interval: .seconds(10))
        let first = monitor.record(
            .frameTooLarge,
            peer: peer,
            detail: "MESSAGE frame payload of 4294967295 bytes exceeds the max_frame_size of 4194304",
            now: start
        )
        #expect(
            first
                == "refused frame_too_large from [IPv4]10.1.2.3:50412: MESSAGE frame payload of 4294967295 bytes exceeds the max_frame_size of 4194304 (1 since the last frame_too_large line)"
        )
        for second in 1...36 {
            #expect(
                monitor.record(.frameTooLarge, peer: peer, detail: "x", now: start + .seconds(Int64(second) / 4)) == nil
            )
        }
        // Another cause has its own line.
        #expect(
            monitor.record(.pingFlood, peer: nil, detail: "too many PINGs", now: start + .seconds(1))
                == "refused ping_flood from unknown peer: too many PINGs (1 since the last ping_flood line)"
        )
        let next = monitor.record(.frameTooLarge, peer: peer, detail: "again", now: start + .seconds(10))
        #expect(
            next == "refused frame_too_large from [IPv4]10.1.2.3:50412: again (37 since the last frame_too_large line)"
        )
        #expect(monitor.count(.frameTooLarge) == 38)
        #expect(monitor.counts == [.frameTooLarge: 38, .pingFlood: 1])
    }

    @Test("a server counts each cause it refuses")
    func serverCounts() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(Array("GET / HTTP/1.1\r\n\r\n".utf8))
        #expect(await raw.waitForClose())
        let flood = try await RawConnection.connect(port: server.port)
        try await flood.send(clientOpening + [0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0, 0, 0, 1])
        #expect(await flood.waitForClose())
        #expect(server.server.abuse.count(.badPreface) == 1)
        #expect(server.server.abuse.count(.frameTooLarge) == 1)
        await server.server.shutdown()
    }
}
