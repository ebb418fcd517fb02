import NIOCore
import RosterWire

/// d. The small probes: many cheap connections, or a few that break the protocol.
extension AbuseProbe {
    /// TCP connections that never start TLS (or, in plaintext, never send the preface).
    static let silent = AbuseProbe(
        name: "silent",
        summary: "1,000 TCP connections that never send a byte, held 2 s",
        limit: .seconds(120),
        expectation: .none
    ) { context in
        let count = context.count(1000)
        let opened = Tally()
        await context.concurrently(count, width: 64) { _ in
            do {
                _ = try await context.connect(.silent)
                opened.add("held")
            } catch {
                opened.fail(error)
            }
        }
        try await Task.sleep(for: context.shortHold)
        context.markAfter()
        let closed = context.connections.filter { !$0.isOpen }.count
        return
            "\(opened.count("held")) of \(count) held \(seconds(context.shortHold).formatted1) s; \(closed) closed by the server"
            + opened.failures
    }

    /// A request MESSAGE whose header promises the most rosterd buffers for a request (64 KiB;
    /// a 4 MiB one is refused from its header), of which 16 KiB arrive.
    static let unfinished = AbuseProbe(
        name: "unfinished",
        summary: "1,000 connections each stop 16 KiB into a 64 KiB request MESSAGE (rosterd's largest), held 2 s",
        limit: .seconds(180),
        expectation: .none
    ) { context in
        let count = context.count(1000)
        let bytes = [
            AbuseFrames.opening,
            AbuseFrames.headers(1, HealthyCalls.method, metadata: context.target.authorization),
            AbuseFrames.header(.message, stream: 1, length: UInt32(AbuseFrames.maxRequestSize), flags: .endStream),
            ByteBuffer(repeating: UInt8(ascii: "r"), count: 16 * 1024),
        ]
        let opened = Tally()
        await context.concurrently(count, width: 32) { _ in
            do {
                let connection = try await context.connect(.speaking)
                try await connection.send(bytes)
                opened.add("held")
            } catch {
                opened.fail(error)
            }
        }
        try await Task.sleep(for: context.shortHold)
        context.markAfter()
        let seen = Tally()
        for connection in context.connections { seen.record(connection.observed, closed: !connection.isOpen) }
        return "\(opened.count("held")) of \(count) held \(seconds(context.shortHold).formatted1) s: \(seen.summary)"
            + opened.failures
    }

    /// An HTTP request where the preface belongs.
    static let badPreface = AbuseProbe(
        name: "bad-preface",
        summary: "100 connections send an HTTP/1.1 request instead of the preface",
        limit: .seconds(60),
        expectation: .none
    ) { context in
        try await refused(
            context,
            count: context.count(100),
            [ByteBuffer(string: "GET / HTTP/1.1\r\nHost: roster\r\n\r\n")]
        )
    }

    /// A frame header declaring the largest length a u32 holds.
    static let hugeFrame = AbuseProbe(
        name: "huge-frame",
        summary: "100 connections send a MESSAGE header of length 4 GiB − 1",
        limit: .seconds(60),
        expectation: .none
    ) { context in
        try await refused(
            context,
            count: context.count(100),
            [AbuseFrames.opening, AbuseFrames.header(.message, stream: 1, length: UInt32.max, flags: .endStream)]
        )
    }

    /// PINGs far above the 10-a-second rule.
    static let pingFlood = AbuseProbe(
        name: "ping-flood",
        summary: "10 connections send 1,000 PINGs each at once",
        limit: .seconds(60),
        expectation: .none
    ) { context in
        let pings = context.count(1000, minimum: 20)
        let note = try await refused(
            context,
            count: context.count(10),
            [AbuseFrames.opening, AbuseFrames.pings(pings)]
        )
        return "\(pings) PINGs each: " + note
    }

    /// Calls to a method that does not exist, without an API key.
    static let unknownMethod = AbuseProbe(
        name: "unknown-method",
        summary: "10,000 calls to an unknown method without a key, 4 connections, 100 in flight each",
        limit: .seconds(180),
        expectation: .none
    ) { context in
        let calls = context.count(10_000)
        let width = min(4, calls)
        let batch = 100  // the server's default max_concurrent_streams
        let seen = Tally()
        await context.concurrently(width, width: width) { worker in
            let share = calls / width + (worker < calls % width ? 1 : 0)
            do {
                let connection = try await context.connect(.speaking)
                try await connection.send([AbuseFrames.opening])
                var sent = 0
                while sent < share && connection.isOpen {
                    var bytes = ByteBuffer()
                    for index in sent..<min(sent + batch, share) {
                        bytes.writeImmutableBuffer(
                            AbuseFrames.call(
                                UInt32(2 * index + 1),
                                "/roster.v1.Roster/NoSuchMethod",
                                metadata: [:],
                                request: GetStatusRequest()
                            )
                        )
                    }
                    sent = min(sent + batch, share)
                    try await connection.send([bytes])
                    let target = sent
                    guard await connection.wait(within: .seconds(10), until: { $0.scanner.trailersTotal >= target })
                    else { break }
                }
                seen.add("calls sent", sent)
                seen.record(connection.observed, closed: !connection.isOpen)
                await context.close(connection)
            } catch {
                seen.fail(error)
            }
        }
        return seen.summary
    }

    /// Opens `count` connections (16 at a time) that each send `bytes` and wait up to 5 s for the
    /// server to close them; what they saw.
    private static func refused(_ context: ProbeContext, count: Int, _ bytes: [ByteBuffer]) async throws -> String {
        let seen = Tally()
        await context.concurrently(count, width: 16) { _ in
            let connection: RawConnection
            do {
                connection = try await context.connect(.speaking)
            } catch {
                return seen.fail(error)
            }
            var closed = false
            do {
                try await connection.send(bytes)
                closed = await connection.waitForClose(within: .seconds(5))
            } catch {
                // The server may close before the last bytes are out: what it said still counts.
                seen.add("closed before our bytes were all sent")
                closed = !connection.isOpen
            }
            seen.record(connection.observed, closed: closed)
            await context.close(connection)
        }
        return "\(count) connections: \(seen.summary)"
    }
}
