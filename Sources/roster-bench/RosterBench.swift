import ArgumentParser
import Foundation
import Histogram
import NIOCore
import RosterBenchMessages
import RosterClient
import RosterRPC
import RosterTLS
import RosterWire

/// `roster-bench`: the grpc-swift-2 peer benchmark's workload (BENCHMARKS.md, "The workload") over
/// Roster's protocol. Flags and RESULT lines match the peer's tool, so its scripts/bench.sh runs both.
/// `abuse` runs bad-input probes against a running server (AbuseCommand.swift).
@main
struct RosterBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roster-bench",
        abstract: "Serve or load the peer benchmark workload over Roster's protocol, or probe a server with bad input.",
        subcommands: [Serve.self, Load.self, Abuse.self]
    )
}

struct TransportOptions: ParsableArguments {
    @Option(help: "Host / IPv4 address.") var host = "127.0.0.1"
    @Option(help: "TCP port.") var port = 50051
    @Flag(help: "Use TLS 1.3 with ALPN roster/1 (default: plaintext).") var tls = false
    @Option(help: "PEM certificate (server: its chain; client: trust root).") var cert = "certs/cert.pem"
    @Option(help: "PEM private key (server only).") var key = "certs/key.pem"
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the benchmark server.")
    @OptionGroup var transport: TransportOptions

    func run() async throws {
        BenchPayloads.checkSizes()
        var router = RPCRouter()
        let response = BenchPayloads.listGroupsResponse
        let update = BenchPayloads.progressUpdate
        router.unary(
            PeerBenchCatalog.listGroups.path,
            PeerBench.ListGroupsRequest.self,
            PeerBench.ListGroupsResponse.self
        ) { _, _ in
            response
        }
        router.serverStreaming(
            PeerBenchCatalog.watchProgress.path,
            PeerBench.WatchProgressRequest.self,
            PeerBench.ProgressUpdate.self
        ) { request, writer, _ in
            for _ in 0..<request.count { try await writer.write(update) }
        }
        let tls =
            transport.tls
            ? TLSConfiguration.Server(certificateChainPath: transport.cert, privateKeyPath: transport.key) : nil
        let server = try RPCServer(
            configuration: .init(host: transport.host, port: transport.port, tls: tls),
            router: router
        )
        let address = try await server.start()
        // Unbuffered, so a script waiting for READY sees it at once.
        FileHandle.standardOutput.write(
            Data("READY \(address) tls=\(transport.tls) pid=\(ProcessInfo.processInfo.processIdentifier)\n".utf8)
        )
        // Serve until killed.
        while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
    }
}

struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run one load mode against a server.")

    enum Mode: String, ExpressibleByArgument {
        case unaryThroughput = "unary-throughput", unaryLatency = "unary-latency", stream, manyConn = "many-conn"
    }

    @OptionGroup var transport: TransportOptions
    @Option(help: "unary-throughput | unary-latency | stream | many-conn") var mode: Mode
    @Option(help: "Concurrent callers on ONE connection (unary-throughput).") var concurrency = 64
    @Option(help: "Measured seconds (unary-throughput, many-conn).") var duration: Double = 10
    @Option(help: "Warm-up seconds before measuring (unary-throughput, many-conn).") var warmup: Double = 2
    @Option(help: "Measured sequential calls (unary-latency).") var calls = 20_000
    @Option(help: "Warm-up calls (unary-latency).") var warmupCalls = 2_000
    @Option(help: "Messages K in the single streaming call (stream).") var streamCount: UInt32 = 1_000_000
    @Option(help: "Connections N, one sequential caller each (many-conn).") var connections = 200
    @Option(help: "Server process id: report its peak RSS (VmHWM) at the end.") var serverPid: Int?

    func makeClient() throws -> RosterClient {
        var configuration = RosterClientConfiguration(
            host: transport.host,
            port: transport.port,
            security: transport.tls ? .tlsTrusting(caFile: transport.cert) : .plaintext
        )
        configuration.connection.keepaliveInterval = nil
        return try RosterClient(configuration: configuration)
    }

    func run() async throws {
        BenchPayloads.checkSizes()
        let name = transport.tls ? "tls" : "plaintext"
        switch mode {
        case .unaryThroughput:
            let client = try makeClient()
            try await prime([client])
            let result = await timedLoops(Array(repeating: client, count: concurrency))
            await client.close()
            print(
                "unary-throughput transport=\(name) concurrency=\(concurrency) connections=1 duration=\(duration)s: \(result.ok) calls, \(fmt(Double(result.ok) / duration)) calls/s, errors=\(result.errors)"
            )
            print(
                "RESULT mode=unary-throughput transport=\(name) value=\(fmt(Double(result.ok) / duration)) unit=calls/s errors=\(result.errors)"
            )
        case .unaryLatency:
            let client = try makeClient()
            try await prime([client])
            let executor = try await client.connection().taskExecutor
            let (histogram, elapsed, errors) = try await withTaskExecutorPreference(executor) {
                for _ in 0..<warmupCalls { _ = try await call(client) }
                var histogram = Histogram<UInt64>(
                    lowestDiscernibleValue: 1,
                    highestTrackableValue: 60_000_000_000,
                    numberOfSignificantValueDigits: .three
                )
                var errors = 0
                let clock = ContinuousClock()
                let start = clock.now
                for _ in 0..<calls {
                    let t0 = clock.now
                    if try await call(client) != 10 { errors += 1 }
                    _ = histogram.record(nanos(clock.now - t0))
                }
                return (histogram, clock.now - start, errors)
            }
            await client.close()
            let us = { (p: Double) in fmt(Double(histogram.valueAtPercentile(p)) / 1000) }
            let rate = Double(calls) / seconds(elapsed)
            print(
                "unary-latency transport=\(name) calls=\(calls) (after \(warmupCalls) warm-up) p50=\(us(50))us p90=\(us(90))us p99=\(us(99))us p999=\(us(99.9))us max=\(fmt(Double(histogram.max) / 1000))us (\(fmt(rate)) calls/s) errors=\(errors)"
            )
            print(
                "RESULT mode=unary-latency transport=\(name) p50_us=\(us(50)) p90_us=\(us(90)) p99_us=\(us(99)) p999_us=\(us(99.9)) rate=\(fmt(rate)) errors=\(errors)"
            )
        case .stream:
            let client = try makeClient()
            try await prime([client])
            let executor = try await client.connection().taskExecutor
            let count = streamCount
            let (received, bytes, elapsed) = try await withTaskExecutorPreference(executor) {
                let clock = ContinuousClock()
                let start = clock.now
                let stream = try await client.serverStreaming(
                    PeerBenchCatalog.watchProgress.path,
                    request: BenchPayloads.watchProgressRequest(count: count),
                    response: PeerBench.ProgressUpdate.self
                )
                var received = 0
                var bytes = 0
                for try await update in stream {
                    received += 1
                    bytes += update.encodedSize
                }
                return (received, bytes, clock.now - start)
            }
            await client.close()
            let rate = Double(received) / seconds(elapsed)
            let ok = received == Int(count) && bytes == received * 60
            print(
                "stream transport=\(name) K=\(count): received \(received) msgs (\(bytes) B) in \(fmt(seconds(elapsed)))s = \(fmt(rate)) msgs/s ok=\(ok)"
            )
            print("RESULT mode=stream transport=\(name) value=\(fmt(rate)) unit=msgs/s errors=\(ok ? 0 : 1)")
        case .manyConn:
            let clients = try (0..<connections).map { _ in try makeClient() }
            try await prime(clients)
            let result = await timedLoops(clients)
            for client in clients { await client.close() }
            print(
                "many-conn transport=\(name) connections=\(connections) (1 sequential caller each) duration=\(duration)s: \(result.ok) calls, \(fmt(Double(result.ok) / duration)) calls/s, errors=\(result.errors)"
            )
            print(
                "RESULT mode=many-conn transport=\(name) value=\(fmt(Double(result.ok) / duration)) unit=calls/s errors=\(result.errors)"
            )
        }
        if let serverPid, let status = try? String(contentsOfFile: "/proc/\(serverPid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM") })
        {
            print("SERVER \(line.replacingOccurrences(of: "\t", with: " "))")
        }
    }

    /// One call per client, concurrently, so connections and TLS are up before timing.
    func prime(_ clients: [RosterClient]) async throws {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for client in clients { group.addTask { try await call(client) } }
            try await group.waitForAll()
        }
    }

    /// One sequential caller per entry (entries may repeat: callers sharing a connection), each
    /// on its connection's event loop. Calls completing inside the measured window count.
    func timedLoops(_ clients: [RosterClient]) async -> (ok: Int, errors: Int) {
        let clock = ContinuousClock()
        let start = clock.now
        let measureFrom = start + .milliseconds(Int64(warmup * 1000))
        let end = measureFrom + .milliseconds(Int64(duration * 1000))
        return await withTaskGroup(of: (Int, Int).self) { group in
            for client in clients {
                group.addTask {
                    guard let executor = try? await client.connection().taskExecutor else { return (0, 1) }
                    return await withTaskExecutorPreference(executor) {
                        var ok = 0
                        var errors = 0
                        while clock.now < end {
                            do {
                                let groups = try await call(client)
                                let now = clock.now
                                if now >= measureFrom && now < end {
                                    if groups == 10 { ok += 1 } else { errors += 1 }
                                }
                            } catch {
                                errors += 1
                            }
                        }
                        return (ok, errors)
                    }
                }
            }
            var ok = 0
            var errors = 0
            for await (o, e) in group {
                ok += o
                errors += e
            }
            return (ok, errors)
        }
    }
}

/// One ListGroups call; returns the number of groups in the response.
func call(_ client: RosterClient) async throws -> Int {
    let response = try await client.unary(
        PeerBenchCatalog.listGroups.path,
        request: BenchPayloads.listGroupsRequest,
        response: PeerBench.ListGroupsResponse.self
    )
    return response.groups.count
}

func nanos(_ duration: Duration) -> UInt64 {
    let (s, atto) = duration.components
    return UInt64(s) * 1_000_000_000 + UInt64(atto / 1_000_000_000)
}

func seconds(_ duration: Duration) -> Double {
    Double(nanos(duration)) / 1e9
}

func fmt(_ value: Double) -> String {
    String(format: value >= 100 ? "%.0f" : "%.2f", value)
}
