import Foundation
import NIOCore
import RosterRPC
import RosterWire
import Synchronization

/// One bad-input probe of `roster-bench abuse`.
struct AbuseProbe: Sendable {
    /// What a probe is expected to cost the server, checked against its RSS.
    enum Expectation: Sendable {
        /// Nothing is checked.
        case none
        /// The settled RSS is within this percentage of the RSS before the probe.
        case settlesWithin(percent: Int)
        /// The peak RSS during the probe is at most this many MiB above the RSS before it.
        case growsAtMost(mib: Int)
    }

    let name: String
    /// What it sends, for the report.
    let summary: String
    /// The probe is cut off at this time (its connections closed) if it has not finished.
    let limit: Duration
    let expectation: Expectation
    /// Runs the probe; returns what the client saw of the server's answer, in words.
    let run: @Sendable (ProbeContext) async throws -> String
}

extension AbuseProbe.Expectation {
    /// "ok: …" or "FAIL: …", or "-" when nothing is expected.
    func verdict(beforeKiB: Int, peakKiB: Int, settledKiB: Int) -> String {
        switch self {
        case .none:
            return "-"
        case .settlesWithin(let percent):
            let limit = Double(beforeKiB) * Double(percent) / 100
            let ok = Double(settledKiB - beforeKiB) <= limit
            return "\(ok ? "ok" : "FAIL"): settled \(ok ? "within" : "beyond") \(percent)% of before"
        case .growsAtMost(let mib):
            let growth = Double(peakKiB - beforeKiB) / 1024
            let ok = growth <= Double(mib)
            return "\(ok ? "ok" : "FAIL"): peak growth \(mibText(growth)) MiB \(ok ? "≤" : ">") \(mib) MiB"
        }
    }
}

/// What a running probe works with: the target, its sizes, and every connection it opened (so
/// that all of them are closed when it ends or is cut off).
final class ProbeContext: Sendable {
    let target: AbuseTarget
    let memory: ServerMemory
    /// Multiplies every probe's counts.
    let scale: Double
    /// How long the never-read and half-open connections are held.
    let hold: Duration
    /// How long the many-small-connection probes hold theirs.
    let shortHold: Duration
    /// Connections open at once in the churn probe.
    let churnWidth: Int

    private let open = Mutex<[ObjectIdentifier: RawConnection]>([:])
    private let afterKiB = Mutex<Int?>(nil)

    init(target: AbuseTarget, memory: ServerMemory, scale: Double, hold: Duration, shortHold: Duration, churnWidth: Int)
    {
        self.target = target
        self.memory = memory
        self.scale = scale
        self.hold = hold
        self.shortHold = shortHold
        self.churnWidth = churnWidth
    }

    /// `base` scaled, at least `minimum`.
    func count(_ base: Int, minimum: Int = 1) -> Int {
        max(minimum, Int((Double(base) * scale).rounded()))
    }

    /// Opens a raw connection that the probe's end will close if the probe does not.
    func connect(_ mode: RawConnection.Mode) async throws -> RawConnection {
        let connection = try await RawConnection.open(target, mode: mode)
        open.withLock { $0[ObjectIdentifier(connection)] = connection }
        return connection
    }

    /// Closes one connection now and forgets it.
    func close(_ connection: RawConnection) async {
        _ = open.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) }
        await connection.close()
    }

    /// Connections opened and not yet closed by the probe.
    var connections: [RawConnection] { open.withLock { Array($0.values) } }

    /// Closes every connection still open, concurrently.
    func closeAll() async {
        let all = open.withLock { open in
            defer { open = [:] }
            return Array(open.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for connection in all { group.addTask { await connection.close() } }
        }
    }

    /// Takes the server's RSS now as the probe's "after" (the first call counts).
    func markAfter() {
        let rss = memory.rssKiB()
        afterKiB.withLock { if $0 == nil { $0 = rss } }
    }

    var after: Int? { afterKiB.withLock { $0 } }

    /// Runs `body(i)` for every i in 0..<count, `width` at a time; stops early once cancelled.
    func concurrently(_ count: Int, width: Int, _ body: @escaping @Sendable (Int) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<min(max(width, 1), count) {
                group.addTask {
                    var index = worker
                    while index < count && !Task.isCancelled {
                        await body(index)
                        index += width
                    }
                }
            }
        }
    }
}

/// Counts outcomes from concurrent tasks, keeping the first failure's text.
final class Tally: Sendable {
    private let state = Mutex<(counts: [String: Int], order: [String], firstError: String?)>(([:], [], nil))

    func add(_ label: String, _ count: Int = 1) {
        state.withLock { state in
            if state.counts[label] == nil { state.order.append(label) }
            state.counts[label, default: 0] += count
        }
    }

    func fail(_ error: any Error) {
        add("failed")
        state.withLock { if $0.firstError == nil { $0.firstError = "\(error)" } }
    }

    func count(_ label: String) -> Int { state.withLock { $0.counts[label] ?? 0 } }

    /// "; N failed (first failure: …)", or "" when nothing failed.
    var failures: String {
        state.withLock { state in
            guard let failed = state.counts["failed"] else { return "" }
            return "; \(failed) failed (first: \(state.firstError?.prefix(160) ?? "?"))"
        }
    }

    /// "12 closed, 12 GOAWAY 13 INTERNAL, 1 failed (first: …)".
    var summary: String {
        state.withLock { state in
            var parts = state.order.map { "\(state.counts[$0]!) \($0)" }
            if let error = state.firstError { parts.append("first failure: \(error.prefix(160))") }
            return parts.isEmpty ? "nothing" : parts.joined(separator: ", ")
        }
    }

    /// Adds what one connection saw: its GOAWAY, its TRAILERS codes, whether the server closed it.
    func record(_ observation: RawConnection.Observation, closed: Bool) {
        if let goAway = observation.scanner.goAway { add("\(goAway.summary) \"\(goAway.message.prefix(90))\"") }
        for (code, count) in observation.scanner.trailers.sorted(by: { $0.key < $1.key }) {
            add("TRAILERS \(RPCError.Code(rawValue: code))", count)
        }
        add(closed ? "closed by the server" : "still open")
    }
}

/// Runs `probe`, cutting it off at its time limit: its connections are closed and it is cancelled.
/// Runs `probe` round after round (closing each round's connections before the next) until
/// `minimum` has passed: a probe over in a tenth of a second would otherwise be measured by a
/// dozen healthy calls, and their p99 would be their slowest one.
func runRounds(_ probe: AbuseProbe, _ context: ProbeContext, minimum: Duration) async -> String {
    let clock = ContinuousClock()
    let start = clock.now
    var rounds = 0
    var note = ""
    repeat {
        if rounds > 0 { await context.closeAll() }
        note = await runWithinLimit(probe, context)
        rounds += 1
    } while clock.now - start < minimum && !Task.isCancelled
    return rounds == 1 ? note : "\(rounds) rounds; the last: \(note)"
}

func runWithinLimit(_ probe: AbuseProbe, _ context: ProbeContext) async -> String {
    await withTaskGroup(of: String?.self) { group in
        group.addTask {
            do {
                return try await probe.run(context)
            } catch {
                return "stopped by an error: \(error)"
            }
        }
        group.addTask {
            try? await Task.sleep(for: probe.limit)
            return nil
        }
        let first = await group.next()!
        if let note = first {
            group.cancelAll()
            return note
        }
        context.markAfter()
        group.cancelAll()
        await context.closeAll()
        let rest = await group.next() ?? nil
        return "cut off at its time limit of \(probe.limit.components.seconds) s" + (rest.map { "; \($0)" } ?? "")
    }
}

func mibText(_ mib: Double) -> String {
    String(format: "%.1f", mib)
}
