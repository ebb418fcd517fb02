import ArgumentParser
import Foundation
import RosterClient
import RosterTLS
import RosterWire

#if canImport(Glibc)
    import Glibc
#endif

/// `roster-bench abuse`: runs the catalogue of bad-input probes (AbuseProbes.swift) against a
/// running server on loopback. For each probe it prints one PROBE line: the server's RSS before,
/// after, at peak and settled, and the latency of healthy GetStatus calls made meanwhile on a
/// connection of their own.
struct Abuse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run bad-input probes against a running server; report its RSS and healthy-call latency per probe.",
        discussion: """
            Probes: \(AbuseProbe.catalogue(hold: .seconds(12)).map(\.name).joined(separator: ", ")). \
            never-read needs --key and a tenant with at least 1,000 contacts (see --sync-directory). \
            Every probe has a time limit; its connections are closed when it ends or is cut off.
            """
    )

    @Option(help: "Server address; loopback only.") var host = "127.0.0.1"
    @Option(help: "Server TCP port.") var port = 7443
    @Flag(help: "Use TLS (ALPN roster/1); needs --cert.") var tls = false
    @Option(help: "PEM trust root for --tls (rosterd's DATA/tls-cert.pem).") var cert: String?
    @Option(help: "API key, sent as authorization: Bearer KEY by the calls that need one.") var key: String?
    @Option(help: "Server process id: its RSS is read from /proc/PID/status (required unless --list).") var pid: Int32?
    @Option(help: "Probes to run, comma-separated (default: all, in catalogue order).") var only: String?
    @Option(help: "Multiplies every probe's counts (e.g. 0.01 for a quick check).") var scale = 1.0
    @Option(help: "Seconds the never-read and half-open connections are held.") var hold = 12.0
    @Option(help: "Seconds the silent and unfinished connections are held.") var shortHold = 2.0
    @Option(help: "Seconds after a probe's connections close before the settled RSS is read.") var settle = 2.0
    @Option(help: "Connections open at once in the churn probe.") var churnConcurrency = 16
    @Option(help: "A probe over sooner is run again, round after round, until this many seconds have passed.")
    var minSeconds = 3.0
    @Option(help: "Milliseconds between the starts of healthy calls.") var healthyIntervalMs = 10
    @Option(
        help:
            "CPU priority (nice) of the probes' event loop threads: 19 (default) the lowest, 0 as the healthy client and rosterd."
    )
    var attackerNice: Int32 = 19
    @Flag(
        inversion: .prefixedNo,
        help:
            "Run the probes' event loop threads under SCHED_IDLE (default): they get a CPU only when rosterd and the healthy client leave one free."
    )
    var attackerIdle = true
    @Option(help: "Before probing, connect this directory (demo: or file:///….json) and sync all users (admin --key).")
    var syncDirectory: String?
    @Flag(help: "Only the --sync-directory step: run no probes.") var syncOnly = false
    @Flag(help: "Also print a markdown table of all probes at the end.") var markdown = false
    @Flag(help: "Print the probes' names, one a line, and exit.") var list = false

    func validate() throws {
        if list { return }
        if pid == nil { throw ValidationError("give the server's process id with --pid") }
        if syncOnly && syncDirectory == nil { throw ValidationError("--sync-only needs --sync-directory") }
        guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
            throw ValidationError("abuse probes run on loopback only")
        }
        if tls && cert == nil { throw ValidationError("--tls needs --cert (the server's certificate or its CA)") }
        guard scale > 0, hold > 0, shortHold >= 0, settle >= 0, minSeconds >= 0, churnConcurrency > 0,
            healthyIntervalMs > 0
        else {
            throw ValidationError("counts and times must be positive")
        }
    }

    func run() async throws {
        raiseFileLimit()
        let catalogue = AbuseProbe.catalogue(hold: .milliseconds(Int64(hold * 1000)))
        let names = only.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        if let unknown = names?.first(where: { name in !catalogue.contains { $0.name == name } }) {
            throw ValidationError(
                "no probe named \(unknown); the probes are \(catalogue.map(\.name).joined(separator: ", "))"
            )
        }
        let probes = names.map { names in catalogue.filter { names.contains($0.name) } } ?? catalogue
        if list { return emit(catalogue.map(\.name).joined(separator: "\n")) }
        guard let pid else { return }

        let memory = ServerMemory(pid: pid)
        guard memory.rssKiB() != nil else {
            throw ValidationError("no process \(pid): cannot read /proc/\(pid)/status")
        }
        let tlsContext = try tls ? TLSContext(client: TLSConfiguration.Client(caFilePath: cert)) : nil
        let target = AbuseTarget(
            host: host,
            port: port,
            tlsContext: tlsContext,
            caFile: tls ? cert : nil,
            apiKey: key,
            loops: try AbuseTarget.attackerLoops(nice: attackerNice, idle: attackerIdle)
        )
        let healthy = try HealthyCalls(target: target, interval: .milliseconds(healthyIntervalMs))

        if let syncDirectory {
            log("syncing all users from \(syncDirectory)…")
            let client = try target.makeClient()
            let contacts = try await AbuseSetup.sync(directoryURL: syncDirectory, client: client)
            await client.close()
            log("the tenant holds \(contacts) contacts")
        }
        if syncOnly { return }
        if key != nil, probes.contains(where: { $0.name == "never-read" }) {
            let client = try target.makeClient()
            let contacts = try await client.getStatus().contactCount
            await client.close()
            if contacts < 1000 {
                log(
                    "warning: the tenant holds \(contacts) contacts; never-read wants at least 1,000 (--sync-directory)"
                )
            }
        }
        try await healthy.warmUp()

        var reports: [AbuseReport] = []
        for probe in probes {
            if probe.name == "never-read" && key == nil {
                log("skipping never-read: ListContacts needs --key")
                continue
            }
            log("probe \(probe.name): \(probe.summary)")
            reports.append(try await measure(probe, target: target, memory: memory, healthy: healthy, pid: pid))
            emit(reports.last!.line)
        }
        await healthy.close()
        if markdown { emit("\n" + AbuseReport.markdown(reports)) }
    }

    /// Runs one probe with the healthy calls alongside, then closes its connections and settles.
    private func measure(
        _ probe: AbuseProbe,
        target: AbuseTarget,
        memory: ServerMemory,
        healthy: HealthyCalls,
        pid: Int32
    ) async throws -> AbuseReport {
        guard let before = memory.rssKiB() else { throw AbuseError("the server (pid \(pid)) has exited") }
        let context = ProbeContext(
            target: target,
            memory: memory,
            scale: scale,
            hold: .milliseconds(Int64(hold * 1000)),
            shortHold: .milliseconds(Int64(shortHold * 1000)),
            churnWidth: churnConcurrency
        )
        let sampler = PeakSampler(memory)
        let start = ContinuousClock.now
        let minimum = Duration.milliseconds(Int64(minSeconds * 1000))
        let (seen, latency) = await healthy.during { await runRounds(probe, context, minimum: minimum) }
        context.markAfter()
        await context.closeAll()
        let elapsed = seconds(ContinuousClock.now - start)
        try await Task.sleep(for: .milliseconds(Int64(settle * 1000)))
        let peak = sampler.stop()
        guard let settled = memory.rssKiB(), let after = context.after else {
            throw AbuseError("the server (pid \(pid)) exited during probe \(probe.name): \(seen)")
        }
        var note = seen
        if let failure = latency.firstFailure {
            note += "; \(latency.failed) healthy calls failed (first: \(failure.prefix(160)))"
        }
        return AbuseReport(
            probe: probe.name,
            summary: probe.summary,
            beforeKiB: before,
            afterKiB: after,
            peakKiB: max(peak, after),
            settledKiB: settled,
            settleSeconds: settle,
            healthy: latency,
            seconds: elapsed,
            verdict: probe.expectation.verdict(beforeKiB: before, peakKiB: max(peak, after), settledKiB: settled),
            note: note
        )
    }

    /// Lifts the soft open-file limit to the hard one: the probes hold a thousand sockets.
    private func raiseFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// Standard output, unbuffered, so that each PROBE line shows as soon as its probe ends.
    private func emit(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    private func log(_ text: String) {
        FileHandle.standardError.write(Data("abuse: \(text)\n".utf8))
    }
}
