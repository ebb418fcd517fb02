import NIOCore
import RosterRPC
import RosterWire

/// The catalogue of `roster-bench abuse`, in the order it runs: a baseline, then the big probes
/// (churn, never-read, half-open), then the small ones (AbuseProbes+Small.swift).
extension AbuseProbe {
    static let listContacts = "/roster.v1.Roster/ListContacts"

    static func catalogue(hold: Duration) -> [AbuseProbe] {
        [
            baseline, churn, neverRead(hold: hold), halfOpen(hold: hold),
            silent, unfinished, badPreface, hugeFrame, pingFlood, unknownMethod,
        ]
    }

    /// No abuse: the healthy calls' latency and the RSS drift on their own.
    static let baseline = AbuseProbe(
        name: "baseline",
        summary: "nothing but the healthy calls for 3 s",
        limit: .seconds(10),
        expectation: .none
    ) { _ in
        try await Task.sleep(for: .seconds(3))
        return "idle"
    }

    /// a. Connections opened and closed in a hurry, half of them with a max-size request.
    static let churn = AbuseProbe(
        name: "churn",
        summary:
            "10,000 connect/close cycles, 16 at a time; half of them (picked pseudo-randomly) send HEADERS and a 4 MiB MESSAGE, then close",
        limit: .seconds(600),
        expectation: .settlesWithin(percent: 10)
    ) { context in
        let cycles = context.count(10_000)
        let tally = Tally()
        let headers = AbuseFrames.headers(1, HealthyCalls.method, metadata: context.target.authorization)
        await context.concurrently(cycles, width: context.churnWidth) { index in
            do {
                let connection = try await context.connect(.speaking)
                if sendsLargeFrame(index) {
                    tally.add("with 4 MiB")
                    do {
                        try await connection.send(
                            [AbuseFrames.opening, headers, AbuseFrames.maxMessage],
                            within: .seconds(60)
                        )
                    } catch {
                        // rosterd refuses a request over its request size limit from the frame's
                        // header and, with no other call open, closes rather than read it.
                        tally.add("cut off by the server")
                    }
                } else {
                    try await connection.send([AbuseFrames.opening])
                }
                await context.close(connection)
                tally.add("done")
            } catch {
                tally.fail(error)
            }
        }
        return "\(tally.count("done")) of \(cycles) cycles done (\(tally.count("with 4 MiB")) with 4 MiB, "
            + "\(tally.count("cut off by the server")) of them cut off by the server)" + tally.failures
    }

    /// Whether churn cycle `index` sends a 4 MiB MESSAGE: half of them, in a fixed pseudo-random
    /// order (SplitMix64 of the index). Every other one, as before, put every 4 MiB frame on the
    /// same event loop of two (NIO gives connections to its loops in turn) and measured that
    /// alignment rather than the load.
    static func sendsLargeFrame(_ index: Int) -> Bool {
        var z = UInt64(index) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (z ^ (z >> 31)) & 1 == 0
    }

    /// b. Many large responses asked for on one connection that is never read.
    static func neverRead(hold: Duration) -> AbuseProbe {
        AbuseProbe(
            name: "never-read",
            summary:
                "one connection sends 500 ListContacts (page_size 1,000) and does not read for \(hold.components.seconds) s",
            limit: hold + .seconds(90),
            expectation: .growsAtMost(mib: 64)
        ) { context in
            let calls = context.count(500)
            var request = ListContactsRequest()
            request.pageSize = 1000
            var bytes = AbuseFrames.opening
            for index in 0..<calls {
                bytes.writeImmutableBuffer(
                    AbuseFrames.call(
                        UInt32(2 * index + 1),
                        listContacts,
                        metadata: context.target.authorization,
                        request: request
                    )
                )
            }
            let connection = try await context.connect(.notReading)
            try await connection.send([bytes])
            // The server's FIN waits behind the data this end does not read; the kernel's table
            // shows the server's end closing at once.
            let start = ContinuousClock.now
            var serverClose: (after: Duration, sendQueue: Int)?
            var sightings = 0  // two in a row
            while ContinuousClock.now - start < context.hold {
                let server = connection.serverHasClosed()
                sightings = server.closed || !connection.isOpen ? sightings + 1 : 0
                if sightings == 2 {
                    serverClose = (.now - connection.openedAt, server.sendQueue)
                    break
                }
                try await Task.sleep(for: .milliseconds(250))
            }
            context.markAfter()
            await connection.resumeReading()
            await connection.drain(quiet: .seconds(3), limit: .seconds(30))
            let stillOpen = connection.isOpen
            let seen = connection.observed
            await context.close(connection)
            var note = "\(calls) calls sent; "
            if let serverClose {
                note +=
                    "the server closed it after \(seconds(serverClose.after).formatted1) s "
                    + "(\(mibText(Double(serverClose.sendQueue) / 1_048_576)) MiB left in its socket's send queue); "
            } else {
                note += "still open after \(context.hold.components.seconds) s unread; "
            }
            note += "then read back \(seen.summary)"
            if stillOpen { note += "; the server kept it open" }
            return note
        }
    }

    /// c. Calls opened with maximal metadata whose request never comes.
    static func halfOpen(hold: Duration) -> AbuseProbe {
        AbuseProbe(
            name: "half-open",
            summary:
                "100 connections × 100 HEADERS of 16,384 B without the request MESSAGE, held \(hold.components.seconds) s",
            limit: hold + .seconds(120),
            expectation: .growsAtMost(mib: 64)
        ) { context in
            let connections = context.count(100)
            let streams = context.count(100)
            let bytes: ByteBuffer = {
                var bytes = AbuseFrames.opening
                for index in 0..<streams {
                    bytes.writeImmutableBuffer(
                        AbuseFrames.paddedHeaders(
                            UInt32(2 * index + 1),
                            listContacts,
                            metadata: context.target.authorization
                        )
                    )
                }
                return bytes
            }()
            let opened = Tally()
            await context.concurrently(connections, width: 16) { _ in
                do {
                    let connection = try await context.connect(.speaking)
                    try await connection.send([bytes], within: .seconds(60))
                    opened.add("held")
                } catch {
                    opened.fail(error)
                }
            }
            let sent = ContinuousClock.now
            try await Task.sleep(for: .seconds(1))
            context.markAfter()
            // Hold until the server has ended every call, or for `hold`.
            let expected = opened.count("held") * streams
            while ContinuousClock.now - sent < context.hold {
                if context.connections.reduce(0, { $0 + $1.observed.scanner.trailersTotal }) >= expected { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let held = seconds(ContinuousClock.now - sent)
            let ends = Tally()
            for connection in context.connections { ends.record(connection.observed, closed: !connection.isOpen) }
            let ended = context.connections.reduce(0) { $0 + $1.observed.scanner.trailersTotal }
            let size =
                AbuseFrames.paddedHeaders(1, listContacts, metadata: context.target.authorization).readableBytes
                - Frame.headerSize
            return
                "\(opened.count("held")) connections × \(streams) HEADERS of \(size) B sent; after \(held.formatted1) s, \(ended) of \(expected) calls ended: "
                + ends.summary + opened.failures
        }
    }
}

extension RawConnection.Observation {
    /// "1.2 MiB: 3 MESSAGE, TRAILERS OK ×3, GOAWAY 8 RESOURCE_EXHAUSTED "…"".
    var summary: String {
        var parts = ["\(mibText(Double(scanner.bytes) / 1_048_576)) MiB", "\(scanner.count(.message)) MESSAGE"]
        for (code, count) in scanner.trailers.sorted(by: { $0.key < $1.key }) {
            parts.append("TRAILERS \(RPCError.Code(rawValue: code)) ×\(count)")
        }
        if let goAway = scanner.goAway { parts.append("\(goAway.summary) \"\(goAway.message.prefix(100))\"") }
        if let error { parts.append("error: \(error.prefix(100))") }
        return parts.joined(separator: ", ")
    }
}

extension Double {
    /// One decimal place.
    var formatted1: String { mibText(self) }
}
