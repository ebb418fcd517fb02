import Foundation
import Logging
import RosterClient
import RosterRPC
import RosterServer
import RosterWire
import ServiceLifecycle
import Testing

/// The server's life: it starts once, runs its background work as child tasks under the
/// service group, and stops on a graceful shutdown.
@Suite("RosterServer lifecycle")
struct RosterServerLifecycleTests {
    static func configuration() -> RosterServerConfiguration {
        var configuration = RosterServerConfiguration(
            dataDirectory: NSTemporaryDirectory() + "roster-server-lifecycle-" + UUID().uuidString
        )
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.tls = .plaintext
        configuration.rpc.gracePeriod = .seconds(1)
        configuration.scheduleCheckInterval = .milliseconds(10)
        return configuration
    }

    @Test("run() serves calls until a graceful shutdown, then ends with its children and closes the listener")
    func runUntilGracefulShutdown() async throws {
        let configuration = Self.configuration()
        defer { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
        let (ports, port) = AsyncStream<Int>.makeStream()
        let server = RosterServer(configuration: configuration, logger: Logger(label: "test")) { port.yield($0.port) }
        let group = ServiceGroup(services: [server], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let bound = try #require(await iterator.next())
            let client = RosterClientConfiguration(
                host: "127.0.0.1",
                port: bound,
                security: .plaintext,
                apiKey: "no-such-key"
            )
            try await withRosterClient(client) { client in
                await #expect(throws: RosterError.self, "a served call: refused for its key") {
                    try await client.getStatus()
                }
            }
            await group.triggerGracefulShutdown()
            // run() returns only once the scheduler and the group refreshes (child tasks) ended.
            try await tasks.next()
            await #expect(throws: (any Error).self, "the listener is closed") {
                try await withRosterClient(client) { client in _ = try await client.getStatus() }
            }
        }
    }

    @Test("shutdown() before start() and a second shutdown() do nothing")
    func shutdownIsIdempotent() async throws {
        let configuration = Self.configuration()
        defer { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
        let idle = RosterServer(configuration: configuration, logger: Logger(label: "test"))
        await idle.shutdown()
        let server = RosterServer(configuration: configuration, logger: Logger(label: "test"))
        _ = try await server.start()
        await server.shutdown()
        await server.shutdown()
    }

    @Test("a second start() is a programming error: the process traps, saying a server starts once")
    func secondStartTraps() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var configuration = RosterServerConfiguration(
                dataDirectory: NSTemporaryDirectory() + "roster-server-twice-" + UUID().uuidString
            )
            configuration.host = "127.0.0.1"
            configuration.port = 0
            configuration.tls = .plaintext
            let server = RosterServer(configuration: configuration, logger: Logger(label: "test"))
            _ = try await server.start()
            _ = try? await server.start()
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("a server starts once"))
    }
}

@Suite("Data directory lock")
struct DataDirectoryLockTests {
    @Test(
        "a second server on the same data directory refuses to start, naming the running one; it starts once the first stops"
    )
    func oneServerPerDirectory() async throws {
        let configuration = RosterServerLifecycleTests.configuration()
        defer { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
        let first = RosterServer(configuration: configuration, logger: Logger(label: "test"))
        _ = try await first.start()
        let second = RosterServer(configuration: configuration, logger: Logger(label: "test"))
        do {
            _ = try await second.start()
            Issue.record("the second server started")
        } catch {
            #expect(
                "\(error)".contains(
                    "another rosterd (process \(ProcessInfo.processInfo.processIdentifier)) is using the data directory"
                ),
                "\(error)"
            )
        }
        await first.shutdown()
        let third = RosterServer(configuration: configuration, logger: Logger(label: "test"))
        _ = try await third.start()
        await third.shutdown()
    }
}

@Suite("Health")
struct HealthTests {
    /// A started plaintext server, a client configuration without a key, and its data directory.
    static func startServer() async throws -> (RosterServer, RosterClientConfiguration, String) {
        let configuration = RosterServerLifecycleTests.configuration()
        let server = RosterServer(configuration: configuration, logger: Logger(label: "test"))
        let started = try await server.start()
        let client = RosterClientConfiguration(host: "127.0.0.1", port: started.port, security: .plaintext)
        return (server, client, configuration.dataDirectory)
    }

    @Test(
        "Check answers without an API key: SERVING for the server and roster.v1.Roster, NOT_FOUND for an unknown name"
    )
    func check() async throws {
        let (server, client, directory) = try await Self.startServer()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withRosterClient(client) { client in
            for service in ["", "roster.v1.Roster"] {
                let answer = try await client.call(HealthMethods.check, HealthCheckRequest(service: service))
                #expect(answer.status == .serving, "\(service)")
            }
            await #expect(throws: RosterError.self) {
                _ = try await client.call(HealthMethods.check, HealthCheckRequest(service: "no.such.Service"))
            }
            do {
                _ = try await client.call(HealthMethods.check, HealthCheckRequest(service: "no.such.Service"))
            } catch let error as RosterError {
                #expect(error.code == .notFound)
                #expect(error.message.contains("\"roster.v1.Roster\""))
            }
        }
        await server.shutdown()
    }

    @Test(
        "Watch sends SERVING, then NOT_SERVING when the shutdown begins, then ends; an unknown name gets SERVICE_UNKNOWN"
    )
    func watchThroughShutdown() async throws {
        let (server, client, directory) = try await Self.startServer()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withRosterClient(client) { client in
            var unknown = try await client.call(HealthMethods.watch, HealthCheckRequest(service: "no.such.Service"))
                .makeAsyncIterator()
            #expect(try await unknown.next()?.status == .serviceUnknown)

            let updates = try await client.call(HealthMethods.watch, HealthCheckRequest(service: ""))
            var iterator = updates.makeAsyncIterator()
            #expect(try await iterator.next()?.status == .serving)
            async let stopping: Void = server.shutdown()
            #expect(try await iterator.next()?.status == .notServing)
            #expect(try await iterator.next() == nil, "the watch ends")
            await stopping
        }
    }
}
