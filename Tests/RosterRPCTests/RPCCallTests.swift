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
        var configuration = RosterClientConfiguration(host: "127.0.0.1", port: server.port, security: .plaintext, apiKey: "k")
        configuration.backoff.maxAttempts = 1
        try await withRosterClient(configuration) { client in
            let connection = try await client.connection()
            let response = try await connection.unary(
                "/test.Echo/Unary", request: echoRequest("Zoë 山田", limit: 3), response: PeerBench.ListGroupsResponse.self,
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
        for try await update in try await client.serverStreaming("/test.Echo/Stream", request: request, response: PeerBench.ProgressUpdate.self) {
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
                    let response = try await client.unary("/test.Echo/Unary", request: echoRequest("call \(index)"), response: PeerBench.ListGroupsResponse.self)
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

    @Test("a handler's error reaches the caller with its code and message")
    func errorStatus() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        await #expect(throws: RPCError(.failedPrecondition, "refused: nope")) {
            try await client.unary("/test.Echo/Fail", request: echoRequest("nope"), response: PeerBench.ListGroupsResponse.self)
        }
        await client.close()
        await server.server.shutdown()
    }

    @Test("an unknown method is UNIMPLEMENTED, naming what the server serves")
    func unknownMethod() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        do {
            _ = try await client.unary("/test.Echo/Nope", request: echoRequest("x"), response: PeerBench.ListGroupsResponse.self)
            Issue.record("the call succeeded")
        } catch let error as RPCError {
            #expect(error.code == .unimplemented)
            #expect(error.message.contains("unknown method /test.Echo/Nope"))
            #expect(error.message.contains("/test.Echo/Unary"))
        }
        await client.close()
        await server.server.shutdown()
    }

    @Test("a deadline cancels the handler and the caller gets DEADLINE_EXCEEDED")
    func deadline() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        do {
            _ = try await client.unary("/test.Echo/Sleep", request: echoRequest("", limit: 5000), response: PeerBench.ListGroupsResponse.self, timeout: .milliseconds(100))
            Issue.record("the call succeeded")
        } catch let error as RPCError {
            #expect(error.code == .deadlineExceeded)
        }
        try await eventually { server.observations.cancelledHandlers.load(ordering: .relaxed) == 1 }
        await client.close()
        await server.server.shutdown()
    }

    @Test("cancelling the caller's task sends CANCEL and stops the handler")
    func cancellation() async throws {
        let server = try await TestServer.start()
        let client = try server.client()
        let call = Task {
            try await client.unary("/test.Echo/Sleep", request: echoRequest("", limit: 10_000), response: PeerBench.ListGroupsResponse.self)
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
        let server = try await TestServer.start()
        let client = try server.client()
        _ = try await client.unary("/test.Echo/Unary", request: echoRequest("warm"), response: PeerBench.ListGroupsResponse.self)
        let inFlight = Task {
            try await client.unary("/test.Echo/Sleep", request: echoRequest("", limit: 1_000), response: PeerBench.ListGroupsResponse.self)
        }
        try await eventually { server.observations.sleepersStarted.load(ordering: .relaxed) == 1 }
        let shutdown = Task { await server.server.shutdown() }
        // The shutdown has begun once the listener is closed (GOAWAY follows at once).
        for _ in 0..<500 {
            guard let probe = try? await RawConnection.connect(port: server.port) else { break }
            probe.close()
            try await Task.sleep(for: .milliseconds(10))
        }
        _ = try await inFlight.value  // completes normally within the grace period
        do {
            _ = try await client.unary("/test.Echo/Unary", request: echoRequest("late"), response: PeerBench.ListGroupsResponse.self)
            Issue.record("a call after shutdown succeeded")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
        }
        await shutdown.value
        await client.close()
    }

    @Test("calls over the server's stream limit wait in the client for a free stream, in order, deadlines running")
    func streamLimit() async throws {
        let server = try await TestServer.start { $0.limits.connection.maxConcurrentStreams = 4 }
        let client = try server.client()
        let sleepers = (0..<4).map { _ in
            Task { try await client.unary("/test.Echo/Sleep", request: echoRequest("", limit: 500), response: PeerBench.ListGroupsResponse.self) }
        }
        try await eventually { server.observations.sleepersStarted.load(ordering: .relaxed) == 4 }
        // A fifth call with a short deadline expires while it waits, without reaching the server.
        do {
            _ = try await client.unary("/test.Echo/Unary", request: echoRequest("impatient"), response: PeerBench.ListGroupsResponse.self, timeout: .milliseconds(50))
            Issue.record("the impatient call succeeded while every stream was busy")
        } catch let error as RPCError {
            #expect(error.code == .deadlineExceeded)
        }
        // Another one waits, and runs once a sleeper ends.
        let fifth = try await client.unary("/test.Echo/Unary", request: echoRequest("fifth"), response: PeerBench.ListGroupsResponse.self)
        #expect(fifth.groups.first?.displayName == "fifth")
        #expect(server.observations.sleepersStarted.load(ordering: .relaxed) == 4)
        for sleeper in sleepers { _ = try await sleeper.value }
        await client.close()
        await server.server.shutdown()
    }

    @Test("at most max_executing_unary_calls handlers of one connection run at once; the rest wait, then run")
    func executingUnaryBound() async throws {
        let server = try await TestServer.start { $0.limits.maxExecutingUnaryCalls = 2 }
        let client = try server.client()
        let sleepers = (0..<6).map { _ in
            Task { try await client.unary("/test.Echo/Sleep", request: echoRequest("", limit: 300), response: PeerBench.ListGroupsResponse.self) }
        }
        for sleeper in sleepers { _ = try await sleeper.value }
        // Counted by the handlers themselves: no timing involved.
        #expect(server.observations.mostSleepersAtOnce.load(ordering: .relaxed) == 2, "more than 2 handlers ran at once")
        #expect(server.observations.sleepersStarted.load(ordering: .relaxed) == 6)
        await client.close()
        await server.server.shutdown()
    }

    @Test("a request over the server's max_frame_size fails locally with RESOURCE_EXHAUSTED")
    func oversizedRequest() async throws {
        let server = try await TestServer.start { $0.limits.connection.maxFrameSize = 16_384 }
        let client = try server.client()
        do {
            _ = try await client.unary("/test.Echo/Unary", request: echoRequest(String(repeating: "x", count: 20_000)), response: PeerBench.ListGroupsResponse.self)
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
        _ = try await client.unary("/test.Echo/Unary", request: echoRequest("one"), response: PeerBench.ListGroupsResponse.self)
        await first.server.shutdown()
        let second = try await TestServer.start { $0.port = first.port }
        let response = try await client.unary("/test.Echo/Unary", request: echoRequest("two"), response: PeerBench.ListGroupsResponse.self)
        #expect(response.groups[0].displayName == "two")
        await client.close()
        await second.server.shutdown()
    }

    @Test("backoff delays grow exponentially, are capped, and jitter stays within bounds")
    func backoff() {
        let backoff = RosterClientConfiguration.Backoff()
        #expect(backoff.delay(beforeRetry: 1, random: 0) == .milliseconds(100))
        #expect(backoff.delay(beforeRetry: 3, random: 0) == .milliseconds(400))
        #expect(backoff.delay(beforeRetry: 20, random: 0) == .seconds(5))
        #expect(backoff.delay(beforeRetry: 2, random: 1) == .milliseconds(240))
        #expect(backoff.delay(beforeRetry: 2, random: -1) == .milliseconds(160))
    }
}

/// Polls `condition` for up to 30 s: generous, because a loaded CI machine running the suite in
/// parallel can take seconds to accept a connection; a passing test never waits that long.
func eventually(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        if condition() { return }
        try await Task.sleep(nanoseconds: 10_000_000)
    }
    #expect(condition(), "condition not met within 30 s")
}
