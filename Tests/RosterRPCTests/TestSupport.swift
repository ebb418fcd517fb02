import ChildProcesses
import Foundation
import NIOCore
import NIOPosix
import RosterBenchMessages
import RosterClient
import RosterRPC
import RosterTLS
import RosterWire
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Certificates made with the openssl CLI once per test run: a CA, a server certificate for
/// 127.0.0.1 and localhost, a client certificate, and an unrelated CA.
enum TestCertificates {
    /// The directory, or why the certificates could not be made (then every test that needs one
    /// fails with that reason; the others run).
    static let made: Result<String, CertificatesUnavailable> = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("roster-rpc-tests-\(getpid())")
            .path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
            set -e
            cd '\(directory)'
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=roster-test-ca
            openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout other-ca.key -out other-ca.pem -days 2 -subj /CN=other-ca
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout server.key -out server.csr -subj /CN=localhost
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > server.ext
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile server.ext
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout client.key -out client.csr -subj /CN=ops-laptop
            printf 'subjectAltName=DNS:ops-laptop\\n' > client.ext
            openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 -extfile client.ext
            """
        // Spawned, not run with Foundation's Process: see SpawnedProcess for why.
        let scriptPath = directory + "/make-certificates.sh"
        let logPath = directory + "/make-certificates.log"
        _ = FileManager.default.createFile(atPath: scriptPath, contents: Data(script.utf8))
        try? FileManager.default.removeItem(atPath: logPath)
        let ended: SpawnedProcess.Termination?
        do {
            ended = try SpawnedProcess("/bin/bash", [scriptPath], errors: .file(logPath)).wait()
        } catch {
            return .failure(CertificatesUnavailable(reason: "bash could not run: \(error)"))
        }
        let output = FileManager.default.contents(atPath: logPath) ?? Data()
        guard ended?.shellStatus == 0 else {
            return .failure(
                CertificatesUnavailable(
                    reason:
                        "openssl could not make test certificates (is the openssl CLI installed?): \(String(decoding: output, as: UTF8.self))"
                )
            )
        }
        return .success(directory)
    }()

    static func path(_ name: String) throws(CertificatesUnavailable) -> String { "\(try made.get())/\(name)" }
}

struct CertificatesUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// What the test service's handlers observed.
final class Observations: Sendable {
    let streamed = Atomic<Int>(0)
    let cancelledHandlers = Atomic<Int>(0)
    let sleepersStarted = Atomic<Int>(0)
    /// Sleep handlers running now, and the most that ever ran at once.
    let sleepersRunning = Atomic<Int>(0)
    let mostSleepersAtOnce = Atomic<Int>(0)
    let lastPeerSubject = Mutex<String?>(nil)
    /// Gate handlers that started, and whether the test has opened the gate.
    let gatedStarted = Atomic<Int>(0)
    let gateOpen = Atomic<Bool>(false)
    /// Background handlers that started, running now, and the most that ever ran at once.
    let backgroundStarted = Atomic<Int>(0)
    let backgroundRunning = Atomic<Int>(0)
    let mostBackgroundAtOnce = Atomic<Int>(0)
}

/// A router with test methods, all using PeerBench messages.
func testRouter(_ observations: Observations) -> RPCRouter {
    var router = RPCRouter()
    // Echo: the query comes back as a group's display name, the "x-echo" metadata as its mail.
    router.unary("/test.Echo/Unary", PeerBench.ListGroupsRequest.self, PeerBench.ListGroupsResponse.self) {
        request,
        context in
        var group = PeerBench.Group()
        group.displayName = request.query
        group.mail = context.metadata["x-echo"] ?? ""
        group.id = context.tlsPeer?.subject ?? ""
        observations.lastPeerSubject.withLock { $0 = context.tlsPeer?.subject }
        var response = PeerBench.ListGroupsResponse()
        response.groups = Array(repeating: group, count: Int(max(request.limit, 1)))
        return response
    }
    // Sleep: waits `limit` milliseconds, noting when it is cancelled.
    router.unary("/test.Echo/Sleep", PeerBench.ListGroupsRequest.self, PeerBench.ListGroupsResponse.self) {
        request,
        _ in
        observations.sleepersStarted.add(1, ordering: .relaxed)
        let running = observations.sleepersRunning.add(1, ordering: .relaxed).newValue
        observations.mostSleepersAtOnce.max(running, ordering: .relaxed)
        defer { observations.sleepersRunning.subtract(1, ordering: .relaxed) }
        do {
            try await Task.sleep(nanoseconds: UInt64(request.limit) * 1_000_000)
        } catch {
            observations.cancelledHandlers.add(1, ordering: .relaxed)
            throw error
        }
        return PeerBench.ListGroupsResponse()
    }
    // Background: on the background threads; sleeps N milliseconds when the query is "sleep N",
    // else waits until the test opens the gate; answers `limit` groups named after the query.
    router.unary(
        "/test.Echo/Background",
        PeerBench.ListGroupsRequest.self,
        PeerBench.ListGroupsResponse.self,
        runsOn: .background
    ) { request, _ in
        observations.backgroundStarted.add(1, ordering: .relaxed)
        let running = observations.backgroundRunning.add(1, ordering: .relaxed).newValue
        observations.mostBackgroundAtOnce.max(running, ordering: .relaxed)
        defer { observations.backgroundRunning.subtract(1, ordering: .relaxed) }
        do {
            if request.query.hasPrefix("sleep "), let milliseconds = UInt64(request.query.dropFirst(6)) {
                try await Task.sleep(nanoseconds: milliseconds * 1_000_000)
            } else {
                while !observations.gateOpen.load(ordering: .relaxed) { try await Task.sleep(nanoseconds: 5_000_000) }
            }
        } catch {
            observations.cancelledHandlers.add(1, ordering: .relaxed)
            throw error
        }
        var group = PeerBench.Group()
        group.displayName = request.query
        var response = PeerBench.ListGroupsResponse()
        response.groups = Array(repeating: group, count: Int(max(request.limit, 1)))
        return response
    }
    // Gate: waits until the test opens the gate (or the call is cancelled); no clock involved.
    router.unary("/test.Echo/Gate", PeerBench.ListGroupsRequest.self, PeerBench.ListGroupsResponse.self) { request, _ in
        observations.gatedStarted.add(1, ordering: .relaxed)
        do {
            while !observations.gateOpen.load(ordering: .relaxed) { try await Task.sleep(nanoseconds: 5_000_000) }
        } catch {
            observations.cancelledHandlers.add(1, ordering: .relaxed)
            throw error
        }
        var response = PeerBench.ListGroupsResponse()
        var group = PeerBench.Group()
        group.displayName = request.query
        response.groups = [group]
        return response
    }
    // Code: fails with the status code `limit` and the message `query`, as sent.
    router.unary("/test.Echo/Code", PeerBench.ListGroupsRequest.self, PeerBench.ListGroupsResponse.self) { request, _ in
        throw RPCError(RPCError.Code(rawValue: request.limit), request.query)
    }
    // RequestID: the call's request id comes back as a group's display name.
    router.unary("/test.Echo/RequestID", PeerBench.ListGroupsRequest.self, PeerBench.ListGroupsResponse.self) {
        _,
        context in
        var group = PeerBench.Group()
        group.displayName = context.requestID
        var response = PeerBench.ListGroupsResponse()
        response.groups = [group]
        return response
    }
    router.unary("/test.Echo/Fail", PeerBench.ListGroupsRequest.self, PeerBench.ListGroupsResponse.self) { request, _ in
        throw RPCError(.failedPrecondition, "refused: \(request.query)")
    }
    // Stream: `count` updates, counting each one the server managed to send.
    router.serverStreaming("/test.Echo/Stream", PeerBench.WatchProgressRequest.self, PeerBench.ProgressUpdate.self) {
        request,
        writer,
        _ in
        var update = PeerBench.ProgressUpdate()
        update.stage = "copying objects to destination tier"
        for index in 0..<request.count {
            update.percent = Float(index)
            do {
                try await writer.write(update)
            } catch {
                observations.cancelledHandlers.add(1, ordering: .relaxed)
                throw error
            }
            observations.streamed.add(1, ordering: .relaxed)
        }
    }
    return router
}

/// A server on 127.0.0.1 with an ephemeral port, started for one test.
struct TestServer {
    let server: RPCServer
    let port: Int
    let observations: Observations

    /// The test servers' own event loops: the other suites' PostgreSQL clients and Graph traffic
    /// keep NIO's shared singleton group busy, and a gated call must not wait behind them.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    static func start(
        tls: Bool = false,
        clientCA: Bool = false,
        configure: (inout RPCServer.Configuration) -> Void = { _ in }
    ) async throws -> TestServer {
        let tlsConfiguration =
            tls
            ? TLSConfiguration.Server(
                certificateChainPath: try TestCertificates.path("server.pem"),
                privateKeyPath: try TestCertificates.path("server.key"),
                clientCAPath: clientCA ? try TestCertificates.path("ca.pem") : nil
            ) : nil
        var configuration = RPCServer.Configuration(host: "127.0.0.1", port: 0, tls: tlsConfiguration)
        configuration.limits.gracePeriod = .seconds(2)
        // A raw connection's next bytes can come seconds late when the parallel suite loads both
        // cores: the clocks of a connection are long here unless a test sets its own (the
        // connection machine's tests check each timeout on a clock they drive).
        configuration.limits.handshakeTimeout = .seconds(120)
        configuration.limits.requestTimeout = .seconds(120)
        configure(&configuration)
        let observations = Observations()
        let server = try RPCServer(
            configuration: configuration,
            router: testRouter(observations),
            group: Self.eventLoops
        )
        let address = try await server.start()
        return TestServer(server: server, port: address.port!, observations: observations)
    }

    func client(tls: Bool = false, caFile: String? = nil, clientCertificate: Bool = false) throws -> RosterClient {
        var configuration = RosterClientConfiguration(
            host: "127.0.0.1",
            port: port,
            security: tls ? .tlsTrusting(caFile: try caFile ?? TestCertificates.path("ca.pem")) : .plaintext
        )
        if clientCertificate {
            configuration.clientCertificate = (
                try TestCertificates.path("client.pem"), try TestCertificates.path("client.key")
            )
        }
        configuration.backoff.maxAttempts = 2
        configuration.backoff.initial = .milliseconds(10)
        // The whole suite runs hundreds of tests at once on two cores: a connect may take seconds.
        configuration.connection.connectTimeout = .seconds(60)
        return try RosterClient(configuration: configuration)
    }

    /// Proves the server still serves: one echo call on a fresh connection.
    func expectServing(tls: Bool = false) async throws {
        let client = try client(tls: tls)
        var request = PeerBench.ListGroupsRequest()
        request.query = "still here"
        let response = try await client.unary(
            "/test.Echo/Unary",
            request: request,
            response: PeerBench.ListGroupsResponse.self
        )
        #expect(response.groups.first?.displayName == "still here")
        await client.close()
    }
}

/// A connection that sends raw bytes and records everything the server sends back.
final class RawConnection: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let received = Mutex(ByteBuffer())
    private let closedPromise: EventLoopPromise<Void>
    let channel: any Channel

    private init(channel: any Channel, closed: EventLoopPromise<Void>) {
        self.channel = channel
        self.closedPromise = closed
    }

    /// - Parameter tls: a client TLS context to speak TLS with (verifying the name 127.0.0.1).
    static func connect(port: Int, autoRead: Bool = true, tls: TLSContext? = nil) async throws -> RawConnection {
        let group = MultiThreadedEventLoopGroup.singleton
        let closed = group.next().makePromise(of: Void.self)
        let holder = Mutex<RawConnection?>(nil)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .channelOption(.autoRead, value: autoRead)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let connection = RawConnection(channel: channel, closed: closed)
                        holder.withLock { $0 = connection }
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(
                                TLSHandler(context: tls, role: .client(serverName: "127.0.0.1"))
                            )
                        }
                        try channel.pipeline.syncOperations.addHandler(connection)
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
        } catch {
            closed.fail(error)  // a promise left pending is a crash in debug builds
            throw error
        }
        channel.closeFuture.whenComplete { _ in closed.succeed() }
        return holder.withLock { $0! }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        _ = received.withLock { $0.writeBuffer(&buffer) }
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    func send(_ frames: [Frame]) async throws {
        var buffer = ByteBuffer()
        for frame in frames { frame.write(to: &buffer) }
        try await channel.writeAndFlush(buffer).get()
    }

    /// Waits until the server closes the connection (or `seconds` pass); true when it closed.
    func waitForClose(seconds: Double = 120) async -> Bool {
        let timeout = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {}
        let closed = channel.eventLoop.makePromise(of: Bool.self)
        closedPromise.futureResult.whenSuccess { closed.succeed(true) }
        timeout.futureResult.whenSuccess { closed.succeed(false) }
        return (try? await closed.futureResult.get()) ?? false
    }

    /// Bytes received so far.
    var receivedCount: Int { received.withLock { $0.readableBytes } }

    /// The frames received so far (the server sends no preface).
    func frames() -> [Frame] {
        var buffer = received.withLock { $0 }
        var decoder = FrameDecoder(
            limits: .init(maxFrameSize: 16 << 20, maxHeaderSize: 16 << 20),
            expectsPreface: false
        )
        var frames: [Frame] = []
        while case .frame(let frame)? = try? decoder.decode(buffer: &buffer) { frames.append(frame) }
        return frames
    }

    /// Waits until a frame matching `predicate` has arrived. The bound only stops a hung test: the
    /// whole suite runs at once on two cores, where a frame has come 30 s late.
    func waitForFrame(seconds: Double = 120, _ predicate: (Frame) -> Bool) async -> Frame? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let frame = frames().first(where: predicate) { return frame }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return nil
    }

    func goAway(seconds: Double = 120) async -> RPCMessages.GoAway? {
        guard let frame = await waitForFrame(seconds: seconds, { $0.type == .goAway }) else { return nil }
        return try? RPCMessages.GoAway(decoding: frame.payload)
    }

    func trailers(stream: UInt32, seconds: Double = 120) async -> RPCMessages.Status? {
        guard let frame = await waitForFrame(seconds: seconds, { $0.type == .trailers && $0.streamID == stream }) else {
            return nil
        }
        return try? RPCMessages.Status(decoding: frame.payload)
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// The client's opening: preface and an empty SETTINGS.
let clientOpening: [UInt8] = {
    var buffer = ByteBuffer(bytes: ConnectionPreface.bytes)
    Frame(type: .settings, streamID: 0).write(to: &buffer)
    return Array(buffer.readableBytesView)
}()

func headersFrame(_ stream: UInt32, _ method: String, metadata: [String: String] = [:], timeoutMicros: UInt64 = 0)
    -> Frame
{
    var payload = ByteBuffer()
    RPCMessages.CallHeaders(method: method, timeoutMicros: timeoutMicros, metadata: metadata).encode(into: &payload)
    return Frame(type: .headers, streamID: stream, payload: payload)
}

func messageFrame<M: ProtoMessage>(_ stream: UInt32, _ message: M, end: Bool = true) -> Frame {
    var payload = ByteBuffer()
    message.encode(into: &payload)
    return Frame(type: .message, flags: end ? .endStream : [], streamID: stream, payload: payload)
}

func echoRequest(_ query: String, limit: Int32 = 1) -> PeerBench.ListGroupsRequest {
    var request = PeerBench.ListGroupsRequest()
    request.query = query
    request.limit = limit
    return request
}
