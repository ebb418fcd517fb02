import NIOCore
import RosterBenchMessages
import RosterClient
import RosterRPC
import RosterWire
import Synchronization
import Testing

@Suite("Calls over the Roster protocol")
struct RPCCallTests {
    @Test("a unary call carries its request, metadata and response")
    func unary() async throws {
        let server = try await TestServer.start()
        var configuration = RosterClientConfiguration(
            host: "127.0.0.1",
            port: server.port,
            security: .plaintext,
            apiKey: "k"
        )
        configuration.backoff.maxAttempts = 1
        try await withRosterClient(configuration) { client in
            let connection = try await client.connection()
            let response = try await connection.unary(
                "/test.Echo/Unary",
                request: echoRequest("Zoë 山田", limit: 3),
                response: PeerBench.ListGroupsResponse.self,
                metadata: ["x-echo": "metadata arrived"]
            )
            #expect(response.groups.count == 3)
            #expect(response.groups[0].displayName == "Zoë 山田")
            #expect(response.groups[0].mail == "metadata arrived")
        }
        await server.server.shutdown()
    }

    @Test("a server-streaming call delivers 10,000 messages in order, then ends")
    func streaming() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        var request = PeerBench.WatchProgressRequest()
        request.count = 10_000
        var expected: Float = 0
        for try await update in try await client.serverStreaming(
            "/test.Echo/Stream",
            request: request,
            response: PeerBench.ProgressUpdate.self
        ) {
            #expect(update.percent == expected)
            expected += 1
        }
        #expect(expected == 10_000)
        await client.close()
        await server.server.shutdown()
    }

    @Test("2,000 concurrent calls on one connection all complete")
    func concurrentCalls() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<2000 {
                group.addTask {
                    let response = try await client.unary(
                        "/test.Echo/Unary",
                        request: echoRequest("call \(index)"),
                        response: PeerBench.ListGroupsResponse.self
                    )
                    return response.groups[0].displayName
                }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(results.count == 2000)
        #expect(server.server.connectionCount == 1)
        await client.close()
        await server.server.shutdown()
    }

    @Test("a handler's error reaches the caller with its code, its message and the call's request id")
    func errorStatus() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let error = await #expect(throws: RPCError.self) {
            try await client.unary(
                "/test.Echo/Fail",
                request: echoRequest("nope"),
                response: PeerBench.ListGroupsResponse.self
            )
        }
        #expect(error?.code == .failedPrecondition)
        #expect(error?.message == "refused: nope")
        #expect(error?.metadata.keys.sorted() == ["x-request-id"])
        await client.close()
        await server.server.shutdown()
    }

    @Test("an unknown method is UNIMPLEMENTED, naming what the server serves")
    func unknownMethod() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        do {
            _ = try await client.unary(
                "/test.Echo/Nope",
                request: echoRequest("x"),
                response: PeerBench.ListGroupsResponse.self
            )
            Issue.record("the call succeeded")
        } catch let error as RPCError {
            #expect(error.code == .unimplemented)
            #expect(error.message.contains("unknown method /test.Echo/Nope"))
            #expect(error.message.contains("/test.Echo/Unary"))
        }
        await client.close()
        await server.server.shutdown()
    }

    @Test("RosterClient's deadline: the caller gets DEADLINE_EXCEEDED and the handler is cancelled")
    func deadline() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        do {
            _ = try await client.unary(
                "/test.Echo/Sleep",
                request: echoRequest("", limit: 5000),
                response: PeerBench.ListGroupsResponse.self,
                timeout: .milliseconds(100)
            )
            Issue.record("the call succeeded")
        } catch let error as RPCError {
            #expect(error.code == .deadlineExceeded)
        }
        try await eventually { server.observations.cancelledHandlers.load(ordering: .relaxed) == 1 }
        await client.close()
        await server.server.shutdown()
    }

    @Test(
        "§8: the server keeps the deadline itself: a client with no timer of its own gets TRAILERS 4 and the handler is cancelled"
    )
    func serverSideDeadline() async throws {
        let server = try await TestServer.start()
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        // The handler would sleep 10 minutes; the raw client never gives up: only the server's clock can end the call.
        try await raw.send([
            headersFrame(1, "/test.Echo/Sleep", timeoutMicros: 250_000),
            messageFrame(1, echoRequest("", limit: 600_000)),
        ])
        let status = try #require(await raw.trailers(stream: 1))
        #expect(status.code == RPCError.Code.deadlineExceeded.rawValue)
        #expect(status.message == "deadline of 250 ms exceeded")
        #expect(!raw.frames().contains { $0.type == .message && $0.streamID == 1 }, "no response after the deadline")
        try await eventually { server.observations.cancelledHandlers.load(ordering: .relaxed) == 1 }
        // A call without a deadline on the same connection is not ended by any clock.
        try await raw.send([headersFrame(3, "/test.Echo/Unary"), messageFrame(3, echoRequest("after"))])
        #expect(try #require(await raw.trailers(stream: 3)).code == 0)
        raw.close()
        await server.server.shutdown()
    }

    @Test(
        "§7: a status code the client does not know, negative included, is UNKNOWN with the message kept; known codes stay"
    )
    func unknownStatusCodes() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        for (sent, expected) in [
            (99, RPCError.Code.unknown), (17, .unknown), (-1, .unknown), (Int32.max, .unknown), (16, .unauthenticated),
            (15, .dataLoss),
        ] as [(Int32, RPCError.Code)] {
            do {
                _ = try await client.unary(
                    "/test.Echo/Code",
                    request: echoRequest("sent \(sent)", limit: sent),
                    response: PeerBench.ListGroupsResponse.self
                )
                Issue.record("code \(sent): the call succeeded")
            } catch let error as RPCError {
                #expect(error.code == expected, "code \(sent) became \(error.code.rawValue)")
                #expect(error.message == "sent \(sent)")
            }
        }
        await client.close()
        await server.server.shutdown()
    }

    @Test("cancelling the caller's task sends CANCEL and stops the handler")
    func cancellation() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let call = Task {
            try await client.unary(
                "/test.Echo/Sleep",
                request: echoRequest("", limit: 10_000),
                response: PeerBench.ListGroupsResponse.self
            )
        }
        try await eventually { server.observations.sleepersStarted.load(ordering: .relaxed) == 1 }
        call.cancel()
        let result = await call.result
        #expect(throws: RPCError.self) { try result.get() }
        try await eventually { server.observations.cancelledHandlers.load(ordering: .relaxed) == 1 }
        try await server.expectServing()
        await client.close()
        await server.server.shutdown()
    }

    @Test("graceful shutdown: the call in flight finishes, new calls are refused with the reason")
    func gracefulShutdown() async throws {
        let server = try await TestServer.start { $0.limits.gracePeriod = .seconds(120) }
        let client = try server.client()
        _ = try await client.unary(
            "/test.Echo/Unary",
            request: echoRequest("warm"),
            response: PeerBench.ListGroupsResponse.self
        )
        // The call in flight waits at a gate the test opens only once the shutdown has begun and
        // a new call was refused: it provably spans the shutdown, whatever the machine's speed.
        let inFlight = Task {
            try await client.unary(
                "/test.Echo/Gate",
                request: echoRequest("in flight"),
                response: PeerBench.ListGroupsResponse.self
            )
        }
        try await eventually { server.observations.gatedStarted.load(ordering: .relaxed) == 1 }
        let shutdown = Task { await server.server.shutdown() }
        // The shutdown has begun once the listener is closed (GOAWAY follows at once).
        var listening = true
        for _ in 0..<3000 where listening {
            if let probe = try? await RawConnection.connect(port: server.port) {
                probe.close()
                try await Task.sleep(for: .milliseconds(10))
            } else {
                listening = false
            }
        }
        #expect(!listening, "the listener stayed open for 30 s after shutdown()")
        do {
            _ = try await client.unary(
                "/test.Echo/Unary",
                request: echoRequest("late"),
                response: PeerBench.ListGroupsResponse.self
            )
            Issue.record("a call after shutdown succeeded")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
        }
        server.observations.gateOpen.store(true, ordering: .relaxed)
        let response = try await inFlight.value  // completes normally within the grace period
        #expect(response.groups.first?.displayName == "in flight")
        #expect(server.observations.cancelledHandlers.load(ordering: .relaxed) == 0)
        await shutdown.value
        await client.close()
    }

    @Test(
        "§12: shutdown sends GOAWAY(last accepted id, 14, reason); a later HEADERS gets TRAILERS 14; open calls finish, then the close"
    )
    func goAwayPayload() async throws {
        let server = try await TestServer.start { $0.limits.gracePeriod = .seconds(120) }
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        try await raw.send([headersFrame(1, "/test.Echo/Unary"), messageFrame(1, echoRequest("one"))])
        #expect(try #require(await raw.trailers(stream: 1)).code == 0)
        try await raw.send([headersFrame(3, "/test.Echo/Gate"), messageFrame(3, echoRequest("gated"))])
        try await eventually { server.observations.gatedStarted.load(ordering: .relaxed) == 1 }
        let shutdown = Task { await server.server.shutdown() }
        let goAway = try #require(await raw.goAway())
        #expect(goAway.lastStreamID == 3)
        #expect(goAway.code == RPCError.Code.unavailable.rawValue)
        #expect(goAway.message == "server is shutting down; reconnect to another instance")
        try await raw.send([headersFrame(5, "/test.Echo/Unary"), messageFrame(5, echoRequest("late"))])
        let late = try #require(await raw.trailers(stream: 5))
        #expect(late.code == RPCError.Code.unavailable.rawValue)
        #expect(late.message == "server is shutting down; retry on a new connection")
        #expect(raw.frames().allSatisfy { $0.streamID != 3 || $0.type != .trailers }, "the gated call is still open")
        server.observations.gateOpen.store(true, ordering: .relaxed)
        #expect(try #require(await raw.trailers(stream: 3)).code == 0)
        #expect(await raw.waitForClose(), "the server closes once its calls have finished")
        await shutdown.value
    }

    @Test("§12: calls still open when the grace period ends get TRAILERS 14 and their handlers are cancelled")
    func graceExpiry() async throws {
        let server = try await TestServer.start { $0.limits.gracePeriod = .milliseconds(200) }
        let raw = try await RawConnection.connect(port: server.port)
        try await raw.send(clientOpening)
        // The gate is never opened: only the grace period's end can finish this call.
        try await raw.send([headersFrame(1, "/test.Echo/Gate"), messageFrame(1, echoRequest("never"))])
        try await eventually { server.observations.gatedStarted.load(ordering: .relaxed) == 1 }
        await server.server.shutdown()
        let status = try #require(await raw.trailers(stream: 1))
        #expect(status.code == RPCError.Code.unavailable.rawValue)
        #expect(status.message == "server shut down before the call finished; retry on another instance")
        #expect(!raw.frames().contains { $0.type == .message && $0.streamID == 1 })
        try await eventually { server.observations.cancelledHandlers.load(ordering: .relaxed) == 1 }
        #expect(await raw.waitForClose())
    }

    @Test("calls over the server's stream limit wait in the client for a free stream, in order, deadlines running")
    func streamLimit() async throws {
        let server = try await TestServer.start { $0.limits.connection.maxConcurrentStreams = 4 }
        let client = try server.client()
        // Four calls held open by the gate (no clock involved) take every stream.
        let holders = (0..<4).map { _ in
            Task {
                try await client.unary(
                    "/test.Echo/Gate",
                    request: echoRequest(""),
                    response: PeerBench.ListGroupsResponse.self
                )
            }
        }
        try await eventually { server.observations.gatedStarted.load(ordering: .relaxed) == 4 }
        // A fifth call with a short deadline expires while it waits, without reaching the server.
        do {
            _ = try await client.unary(
                "/test.Echo/Unary",
                request: echoRequest("impatient"),
                response: PeerBench.ListGroupsResponse.self,
                timeout: .milliseconds(50)
            )
            Issue.record("the impatient call succeeded while every stream was busy")
        } catch let error as RPCError {
            #expect(error.code == .deadlineExceeded)
        }
        // Another one waits, and runs once a holder ends.
        let fifth = Task {
            try await client.unary(
                "/test.Echo/Unary",
                request: echoRequest("fifth"),
                response: PeerBench.ListGroupsResponse.self
            )
        }
        server.observations.gateOpen.store(true, ordering: .relaxed)
        #expect(try await fifth.value.groups.first?.displayName == "fifth")
        #expect(server.observations.gatedStarted.load(ordering: .relaxed) == 4)
        // The server's side of it: had the client sent a call over the limit, the server would
        // have refused that stream (and counted it); the waiting happened in the client.
        #expect(server.server.abuse.count(.refusedStream) == 0, "the client sent calls over max_concurrent_streams")
        for holder in holders { _ = try await holder.value }
        await client.close()
        await server.server.shutdown()
    }

    @Test("at most max_executing_unary_calls handlers of one connection run at once; the rest wait, then run")
    func executingUnaryBound() async throws {
        let server = try await TestServer.start { $0.limits.maxExecutingUnaryCalls = 2 }
        let client = try server.client()
        let sleepers = (0..<6).map { _ in
            Task {
                try await client.unary(
                    "/test.Echo/Sleep",
                    request: echoRequest("", limit: 300),
                    response: PeerBench.ListGroupsResponse.self
                )
            }
        }
        for sleeper in sleepers { _ = try await sleeper.value }
        // Counted by the handlers themselves: no timing involved.
        #expect(
            server.observations.mostSleepersAtOnce.load(ordering: .relaxed) == 2,
            "more than 2 handlers ran at once"
        )
        #expect(server.observations.sleepersStarted.load(ordering: .relaxed) == 6)
        await client.close()
        await server.server.shutdown()
    }

    @Test("a request over the server's max_frame_size fails locally with RESOURCE_EXHAUSTED")
    func oversizedRequest() async throws {
        let server = try await TestServer.start { $0.limits.connection.maxFrameSize = 16_384 }
        let client = try server.client()
        do {
            _ = try await client.unary(
                "/test.Echo/Unary",
                request: echoRequest(String(repeating: "x", count: 20_000)),
                response: PeerBench.ListGroupsResponse.self
            )
            Issue.record("the call succeeded")
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted)
            #expect(error.message.contains("max_frame_size of 16384"))
        }
        await client.close()
        await server.server.shutdown()
    }

    @Test("the client reconnects after the server restarts on the same port")
    func reconnect() async throws {
        let first = try await TestServer.start()
        let client = try first.client()
        _ = try await client.unary(
            "/test.Echo/Unary",
            request: echoRequest("one"),
            response: PeerBench.ListGroupsResponse.self
        )
        await first.server.shutdown()
        let second = try await TestServer.start { $0.port = first.port }
        let response = try await client.unary(
            "/test.Echo/Unary",
            request: echoRequest("two"),
            response: PeerBench.ListGroupsResponse.self
        )
        #expect(response.groups[0].displayName == "two")
        await client.close()
        await second.server.shutdown()
    }

    @Test(
        "backoff delays grow exponentially, are capped, and the jitter spans exactly its bounds",
        arguments: [
            // (retry, random, expected): the random source at its lower extreme, the middle, in between and the upper extreme.
            (1, 0.0, Duration.milliseconds(100)), (3, 0.0, .milliseconds(400)), (20, 0.0, .seconds(5)),
            (2, -1.0, .milliseconds(160)), (2, -0.5, .milliseconds(180)), (2, 0.25, .milliseconds(210)),
            (2, 1.0, .milliseconds(240)),
            (20, -1.0, .seconds(4)), (20, 1.0, .seconds(6)),
        ]
    )
    func backoff(retry: Int, random: Double, expected: Duration) {
        let delay = RosterClientConfiguration.Backoff().delay(beforeRetry: retry, random: random)
        #expect(abs((delay - expected) / .microseconds(1)) < 1, "retry \(retry), random \(random): \(delay)")
    }

    @Test("full jitter reaches zero at the random source's lower extreme, never below")
    func backoffFloor() {
        var backoff = RosterClientConfiguration.Backoff()
        backoff.jitter = 1
        #expect(backoff.delay(beforeRetry: 2, random: -1) == .zero)
        #expect(backoff.delay(beforeRetry: 2, random: 1) == .milliseconds(400))
        backoff.jitter = 1.5
        #expect(backoff.delay(beforeRetry: 2, random: -1) == .zero)
    }
}

/// Polls `condition` for up to 30 s: generous, because a loaded CI machine running the suite in
/// parallel can take seconds to accept a connection; a passing test never waits that long.
/// Waits until `condition` holds, checking every 10 ms. The bound is not a speed requirement: it
/// only ends a test that would otherwise hang, and is wide because the whole suite runs hundreds
/// of tests at once on two cores (30 s was once too little for a first connection).
func eventually(sourceLocation: SourceLocation = #_sourceLocation, _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(120)
    while ContinuousClock.now < deadline {
        if condition() { return }
        try await Task.sleep(nanoseconds: 10_000_000)
    }
    #expect(condition(), "condition not met within 120 s", sourceLocation: sourceLocation)
}

@Suite("Background calls: off the event loops, a few at a time server-wide")
struct BackgroundCallTests {
    @Test("at most max_background_calls background handlers run at once over all connections")
    func boundServerWide() async throws {
        let server = try await TestServer.start { $0.limits.maxBackgroundCalls = 1 }
        let clients = try (0..<2).map { _ in try server.client() }
        let calls = (0..<6).map { index in
            Task {
                try await clients[index % 2].unary(
                    "/test.Echo/Background",
                    request: echoRequest("sleep 100"),
                    response: PeerBench.ListGroupsResponse.self
                )
            }
        }
        for call in calls { _ = try await call.value }
        // Counted by the handlers themselves: no timing involved.
        #expect(server.observations.mostBackgroundAtOnce.load(ordering: .relaxed) == 1, "background calls overlapped")
        #expect(server.observations.backgroundStarted.load(ordering: .relaxed) == 6)
        for client in clients { await client.close() }
        await server.server.shutdown()
    }

    @Test("a background call that gives up while it waits never runs, and frees nothing it did not take")
    func cancelledWhileWaiting() async throws {
        let server = try await TestServer.start { $0.limits.maxBackgroundCalls = 1 }
        let client = try server.client()
        let holder = Task {
            try await client.unary(
                "/test.Echo/Background",
                request: echoRequest("held"),
                response: PeerBench.ListGroupsResponse.self
            )
        }
        while server.observations.backgroundStarted.load(ordering: .relaxed) < 1 {
            try await Task.sleep(for: .milliseconds(5))
        }
        let impatientEnded = Atomic<Bool>(false)
        let impatient = Task {
            defer { impatientEnded.store(true, ordering: .relaxed) }
            return try await client.unary(
                "/test.Echo/Background",
                request: echoRequest("impatient"),
                response: PeerBench.ListGroupsResponse.self,
                timeout: .seconds(1)
            )
        }
        // It waits at the server's gate (a busy machine may take a while to get it there, or run
        // out of time before it does: then it never waited, and the rest holds all the same)…
        while server.server.backgroundCallCounts.waiting < 1, !impatientEnded.load(ordering: .relaxed) {
            try await Task.sleep(for: .milliseconds(5))
        }
        do {
            _ = try await impatient.value
            Issue.record("the impatient call succeeded while the only background slot was held")
        } catch let error as RPCError {
            #expect(error.code == .deadlineExceeded)
        }
        // … and gives up there: the gate is opened only once the server has withdrawn it (the
        // client's clock may run out before the server's).
        while server.server.backgroundCallCounts.waiting > 0 || server.server.openCallCount > 1 {
            try await Task.sleep(for: .milliseconds(5))
        }
        server.observations.gateOpen.store(true, ordering: .relaxed)
        #expect(try await holder.value.groups.first?.displayName == "held")
        // The slot came back once, not twice: two calls after it still never overlap.
        let after = (0..<2).map { _ in
            Task {
                try await client.unary(
                    "/test.Echo/Background",
                    request: echoRequest("sleep 50"),
                    response: PeerBench.ListGroupsResponse.self
                )
            }
        }
        for call in after { _ = try await call.value }
        #expect(server.observations.backgroundStarted.load(ordering: .relaxed) == 3, "the impatient call's handler ran")
        #expect(server.observations.mostBackgroundAtOnce.load(ordering: .relaxed) == 1)
        await client.close()
        await server.server.shutdown()
    }

    @Test("a large response (encoded before it reaches the connection) arrives whole")
    func largeResponse() async throws {
        let server = try await TestServer.start()
        server.observations.gateOpen.store(true, ordering: .relaxed)
        let client = try server.client()
        let name = String(repeating: "g", count: 100)
        // Well over UnaryReply.encodeEarlyBytes (64 KiB), from a background method and from a loop one.
        for method in ["/test.Echo/Background", "/test.Echo/Unary"] {
            let response = try await client.unary(
                method,
                request: echoRequest(name, limit: 2_000),
                response: PeerBench.ListGroupsResponse.self
            )
            #expect(response.groups.count == 2_000)
            #expect(response.groups.allSatisfy { $0.displayName == name })
            #expect(response.encodedSize > 200_000)
        }
        await client.close()
        await server.server.shutdown()
    }
}
