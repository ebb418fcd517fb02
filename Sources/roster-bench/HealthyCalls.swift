import Histogram
import NIOCore
import RosterClient
import RosterRPC
import RosterWire
import Synchronization

/// Cheap unary calls (GetStatus) at a steady pace on a connection of their own, timed while a
/// probe runs: what a well-behaved client notices of the abuse. Every answer is timed, refusals
/// too; a call without an answer is timed only when it ran into its timeout.
final class HealthyCalls: Sendable {
    /// The latencies of one probe's calls.
    struct Summary: Sendable {
        var calls = 0
        /// Calls that did not succeed: refused by the server, timed out, or lost with their connection.
        var failed = 0
        /// The first failure, in words.
        var firstFailure: String?
        var p50Micros: UInt64 = 0
        var p99Micros: UInt64 = 0
        var maxMicros: UInt64 = 0
    }

    /// How one call ended.
    private enum Outcome {
        case ok
        /// The server answered with a status other than OK.
        case refused(RPCError)
        /// No answer: the connection was lost, or the call timed out.
        case lost(any Error)
    }

    private final class StopFlag: Sendable {
        let stopped = Atomic(false)
    }

    static let method = "/roster.v1.Roster/GetStatus"
    private let client: RosterClient
    private let hasKey: Bool
    private let interval: Duration
    private let timeout: Duration

    /// - Parameter interval: the pace: one call starts every `interval` (or as soon as the last ends).
    init(target: AbuseTarget, interval: Duration, timeout: Duration = .seconds(5)) throws {
        client = try target.makeClient()
        hasKey = target.apiKey != nil
        self.interval = interval
        self.timeout = timeout
    }

    /// A few calls, so that the connection and TLS are up before the first probe; throws unless they succeed.
    func warmUp() async throws {
        for _ in 0..<20 {
            switch await call() {
            case .ok: continue
            case .refused(let error): throw AbuseError("the healthy call \(Self.method) failed: \(error)")
            case .lost(let error): throw AbuseError("the healthy call \(Self.method) failed: \(error)")
            }
        }
    }

    /// Runs `body` while calling in a loop; its result and the calls' latencies.
    func during<T: Sendable>(_ body: () async -> T) async -> (T, Summary) {
        let flag = StopFlag()
        let loop = Task { await self.loop(until: flag) }
        let result = await body()
        flag.stopped.store(true, ordering: .relaxed)
        return (result, await loop.value)
    }

    func close() async { await client.close() }

    /// One call. Without an API key, UNAUTHENTICATED is the expected answer and counts as OK.
    private func call() async -> Outcome {
        do {
            _ = try await client.unary(
                Self.method,
                request: GetStatusRequest(),
                response: GetStatusResponse.self,
                timeout: timeout
            )
            return .ok
        } catch let error as RPCError {
            switch error.code {
            case .unauthenticated where !hasKey: return .ok
            case .unavailable, .deadlineExceeded, .cancelled: return .lost(error)
            default: return .refused(error)
            }
        } catch {
            return .lost(error)
        }
    }

    private func loop(until flag: StopFlag) async -> Summary {
        let executor = try? await client.connection().taskExecutor
        return await withTaskExecutorPreference(executor) {
            var histogram = Histogram<UInt64>(
                lowestDiscernibleValue: 1,
                highestTrackableValue: 600_000_000,
                numberOfSignificantValueDigits: .three
            )
            var summary = Summary()
            let clock = ContinuousClock()
            var next = clock.now
            while !flag.stopped.load(ordering: .relaxed) {
                let start = clock.now
                let outcome = await call()
                let elapsed = clock.now - start
                summary.calls += 1
                var timed = true
                switch outcome {
                case .ok:
                    break
                case .refused(let error):
                    summary.failed += 1
                    if summary.firstFailure == nil { summary.firstFailure = "\(error)" }
                case .lost(let error):
                    summary.failed += 1
                    if summary.firstFailure == nil { summary.firstFailure = "\(error)" }
                    // A timeout is a latency too; an instant failure (no connection) is not.
                    timed = elapsed >= timeout
                }
                if timed { _ = histogram.record(UInt64(max(nanos(elapsed) / 1000, 1))) }
                next = max(next + interval, clock.now)
                try? await Task.sleep(until: next, clock: clock)
            }
            summary.p50Micros = histogram.totalCount > 0 ? histogram.valueAtPercentile(50) : 0
            summary.p99Micros = histogram.totalCount > 0 ? histogram.valueAtPercentile(99) : 0
            summary.maxMicros = histogram.totalCount > 0 ? histogram.max : 0
            return summary
        }
    }
}
