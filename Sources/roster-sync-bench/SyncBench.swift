import ArgumentParser
import Foundation
import GraphTestDouble
import Histogram
import RosterClient
import RosterRPC
import RosterWire
import Synchronization

/// `roster-sync-bench`: rosterd end to end (release mode), with the Graph double in this process
/// and a real `rosterd serve` child process per run (fresh data directory, TLS):
///
/// 1. full all-users sync of N users (StartSync → final WatchProgress message), beside the floor
///    measured in the same run: `curl` downloading the same delta pages + the `sqlite3` CLI
///    inserting the same rows (dumped from rosterd's own database) in one transaction;
/// 2. delta sync after 1% of the users changed;
/// 3. ListGroups type-ahead over one connection with 50,000 groups cached: throughput at
///    concurrency 32, latency at concurrency 1, server CPU per call;
/// 4. 10,000 WatchProgress streams over 100 connections on one running full sync: server RSS
///    and the job's time, beside an unwatched run of the same sync.
///
/// Prints markdown to stdout, progress to stderr. Run by `scripts/bench-sync.sh`.
@main
struct SyncBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "roster-sync-bench")

    @Option(help: "The rosterd binary (a release build).")
    var rosterd = ".build/release/rosterd"
    @Option(help: "Users in the directory.")
    var users = 100_000
    @Option(help: "Runs of the full/delta sync and of its floor (medians are reported).")
    var runs = 3
    @Option(help: "Users changed before the delta sync.")
    var changed = 1_000
    @Option(help: "Mail-enabled security groups cached for ListGroups.")
    var groups = 50_000
    @Option(help: "Seconds of the ListGroups throughput measurement (after 1 s of warm-up).")
    var seconds = 5.0
    @Option(help: "ListGroups calls in flight for the throughput measurement.")
    var concurrency = 32
    @Option(help: "ListGroups calls timed one at a time for the latency measurement.")
    var latencyCalls = 30_000
    @Option(help: "WatchProgress streams on the watched job.")
    var watchers = 10_000
    @Option(help: "Connections the streams are spread over.")
    var watchConnections = 100
    @Option(help: "Pairs of runs (unwatched, watched) for the watchers measurement.")
    var watchRuns = 3
    @Option(help: "Parts to run: any of sync,groups,watch (comma-separated).")
    var parts = "sync,groups,watch"

    func run() async throws {
        let selected = Set(parts.split(separator: ",").map(String.init))
        printMachine()
        if selected.contains("sync") || selected.contains("watch") {
            log("generating \(users) users…")
            // Every generated user enabled and a member, so that all of them become contacts (the
            // generator leaves 1/97 disabled and 1/101 guests, which a sync leaves out).
            var directory = GraphDoubleDirectory.generated(userCount: users)
            for index in directory.users.indices {
                directory.users[index]["accountEnabled"] = true
                directory.users[index]["userType"] = "Member"
            }
            let double = GraphDouble(directory: directory)
            try await double.start()
            if selected.contains("sync") { try await syncPart(double) }
            if selected.contains("watch") { try await watchPart(double) }
            try await double.stop()
        }
        if selected.contains("groups") { try await groupsPart() }
    }

    // MARK: - Machine

    func printMachine() {
        func first(_ program: String, _ arguments: [String]) -> String {
            ((try? Shell.run(program, arguments)) ?? "?").split(separator: "\n").first.map(String.init) ?? "?"
        }
        let memory = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("MemTotal") }
            .map { $0.split(separator: " ").dropFirst().first.map(String.init) ?? "?" } ?? "?"
        let model = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?" } ?? "?"
        print("## roster-sync-bench")
        print("")
        print("- date: \(first("/bin/date", ["-u", "+%Y-%m-%d %H:%M UTC"]))")
        print("- machine: \(first("/usr/bin/nproc", [])) cores (\(model)), MemTotal \(memory) kB, \(first("/bin/uname", ["-sr"]))")
        print("- \(first("/usr/bin/env", ["swift", "--version"]))")
        print("- \(first("/usr/bin/env", ["openssl", "version"])); sqlite3 \(first("/usr/bin/sqlite3", ["--version"]).split(separator: " ").first ?? "?"); \(first("/usr/bin/curl", ["--version"]).split(separator: " ").prefix(2).joined(separator: " "))")
        print("- load before: \(first("/usr/bin/uptime", []))")
        print("")
    }

    // MARK: - Servers

    func freshServer() throws -> (Rosterd, String) {
        let server = Rosterd(binary: rosterd)
        let key = try server.addTenant("bench")
        try server.start()
        return (server, key)
    }

    struct SyncOutcome {
        var seconds: Double
        var final: ProgressUpdate
        var mode: SyncMode
        /// Each update as received: seconds after StartSync was sent, phase, fetched, message.
        var timeline: [String] = []
    }

    /// StartSync, then one WatchProgress stream read to its final message; wall time of both.
    func timedSync(_ client: RosterClient, _ request: StartSyncRequest) async throws -> SyncOutcome {
        let start = clock.now
        let started = try await client.startSync(request)
        guard let job = started.job, !started.alreadyRunning else { throw BenchError("StartSync started no job") }
        let startedAt = clock.now - start
        var last: ProgressUpdate?
        var timeline = ["\(f(secondsOf(startedAt))) s: StartSync answered (job \(job.state))"]
        for try await update in try await client.watchProgress(jobID: job.id) {
            last = update
            timeline.append("\(f(secondsOf(clock.now - start))) s: \(update.state) \(update.phase) fetched=\(update.counters?.fetched ?? 0) elapsed_ms=\(update.elapsedMs) \(update.message)")
        }
        let elapsed = clock.now - start
        guard let last, last.final, last.state == .succeeded else {
            throw BenchError("the job did not succeed: \(String(describing: last))")
        }
        return SyncOutcome(seconds: secondsOf(elapsed), final: last, mode: job.mode, timeline: timeline)
    }


    // MARK: - 1 and 2: full sync and delta sync beside the floor

    func syncPart(_ double: GraphDouble) async throws {
        let base = double.baseURL
        let curl = try CurlFloor(base: base, users: users)
        log("curl chain: \(curl.urls.count) pages, \(curl.bytes) bytes (validated)")
        var fullSeconds: [Double] = []
        var fullServerMs: [Double] = []
        var deltaSeconds: [Double] = []
        var deltaServerMs: [Double] = []
        var curlSeconds: [Double] = []
        var sqliteSeconds: [Double] = []
        var floorSeconds: [Double] = []
        var deltaCurlSeconds: [Double] = []
        var deltaTimeline: [String] = []
        var fullTimeline: [String] = []
        var sqlFile: String?
        let work = NSTemporaryDirectory() + "roster-sync-bench-floor-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var rawLines: [String] = []

        for run in 1...runs {
            let (server, key) = try freshServer()
            let client = try server.client(key: key)
            let connected = try await client.connectDirectory(connectRequest(double))
            guard connected.state == .authorized else { throw BenchError("ConnectDirectory: \(connected.state)") }

            log("run \(run): full sync of \(users)…")
            let full = try await timedSync(client, allUsersSync())
            guard full.mode == .full, full.final.summary?.totalContacts == Int64(users), full.final.summary?.added == Int64(users) else {
                throw BenchError("full sync: mode \(full.mode), summary \(String(describing: full.final.summary))")
            }
            fullSeconds.append(full.seconds)
            fullServerMs.append(Double(full.final.summary?.durationMs ?? -1))

            if sqlFile == nil {
                sqlFile = try SQLiteFloor.makeScript(from: server.databasePath, into: work)
                log("sqlite3 script: \(sqlFile!)")
            }

            // 2: 1% changed, then the delta sync. The delta link rosterd holds is the one the
            // double hands out now (its version), so curl can fetch the same changes afterwards.
            let version = try curl.currentVersion()
            let step = max(1, users / changed)
            for k in 0..<changed {
                double.updateUser(id: GraphDoubleDirectory.userID(k * step), ["jobTitle": .string("Bench run \(run) title \(k)")])
            }
            log("run \(run): delta sync after \(changed) changes…")
            let delta = try await timedSync(client, allUsersSync())
            guard delta.mode == .delta, delta.final.summary?.updated == Int64(changed), delta.final.summary?.totalContacts == Int64(users) else {
                throw BenchError("delta sync: mode \(delta.mode), summary \(String(describing: delta.final.summary))")
            }
            deltaSeconds.append(delta.seconds)
            let deltaCurl = try curl.timedDeltaDownload(since: version)
            deltaCurlSeconds.append(deltaCurl.seconds)
            if run == 1 { deltaTimeline = delta.timeline; fullTimeline = full.timeline.count > 12 ? Array(full.timeline.prefix(6) + ["…"] + full.timeline.suffix(5)) : full.timeline }
            deltaServerMs.append(Double(delta.final.summary?.durationMs ?? -1))
            await client.close()
            server.stop()

            // The floor, same run.
            log("run \(run): curl…")
            let curlTime = try curl.timedDownload()
            log("run \(run): sqlite3…")
            let sqliteTime = try SQLiteFloor.timedInsert(script: sqlFile!, database: work + "/cli-\(run).sqlite", expect: users)
            curlSeconds.append(curlTime)
            sqliteSeconds.append(sqliteTime)
            floorSeconds.append(curlTime + sqliteTime)
            let line = "run \(run): full_s=\(f(full.seconds)) full_server_ms=\(full.final.summary?.durationMs ?? -1) delta_s=\(f(delta.seconds)) delta_server_ms=\(delta.final.summary?.durationMs ?? -1) curl_s=\(f(curlTime)) sqlite3_s=\(f(sqliteTime)) floor_s=\(f(curlTime + sqliteTime)) ratio=\(f(full.seconds / (curlTime + sqliteTime), 2))"
            rawLines.append(line)
            log(line)
        }

        print("### 1. Full all-users sync of \(grouped(users)) users beside the floor (\(runs) runs, seconds: median (min–max))")
        print("")
        print("Delta query chain: \(curl.urls.count) pages (\(curl.pageSize) users per page, the double's delta page size), \(grouped(curl.bytes)) bytes of JSON.")
        print("")
        print("| measure | median (min–max) s |")
        print("| --- | --- |")
        print("| rosterd: StartSync → final WatchProgress message (SUCCEEDED) | \(summary(fullSeconds)) |")
        print("| rosterd: the job's own duration_ms (summary) | \(summary(fullServerMs.map { $0 / 1000 })) |")
        print("| floor part: curl downloading the same \(curl.urls.count) pages | \(summary(curlSeconds)) |")
        print("| floor part: sqlite3 CLI inserting the same \(grouped(users)) rows (one transaction) | \(summary(sqliteSeconds)) |")
        print("| floor = curl + sqlite3 (per run) | \(summary(floorSeconds)) |")
        let ratio = median(fullSeconds) / median(floorSeconds)
        let perRun = zip(fullSeconds, floorSeconds).map { $0 / $1 }
        print("")
        print("Roster ÷ floor (medians): **\(f(ratio, 2))x** (per run \(f(perRun.min()!, 2))–\(f(perRun.max()!, 2))x); target ≤ 1.3x: \(ratio <= 1.3 ? "met" : "NOT met")")
        print("")
        print("### 2. Delta sync, \(grouped(changed)) users changed (\(runs) runs)")
        print("")
        print("| measure | median (min–max) s |")
        print("| --- | --- |")
        print("| rosterd delta: StartSync → final message | \(summary(deltaSeconds)) |")
        print("| rosterd delta: duration_ms | \(summary(deltaServerMs.map { $0 / 1000 })) |")
        print("| for reference: curl downloading the same delta pages (token at hand) | \(summary(deltaCurlSeconds)) |")
        let deltaShare = median(deltaSeconds) / median(fullSeconds)
        print("")
        print("Delta ÷ full (medians): **\(f(deltaShare * 100, 1))%**; target ≤ 5%: \(deltaShare <= 0.05 ? "met" : "NOT met")")
        print("")
        print("Raw:")
        print("```")
        for line in rawLines { print(line) }
        print("```")
        print("")
        print("Run 1's progress stream as the client received it (full sync, abridged; then the delta sync):")
        print("```")
        for line in fullTimeline { print("full:  " + line) }
        for line in deltaTimeline { print("delta: " + line) }
        print("```")
        print("")
    }

    // MARK: - 3: ListGroups type-ahead

    func groupsPart() async throws {
        log("generating \(groups) groups…")
        let (directory, names) = GroupDirectory.make(count: groups)
        let double = GraphDouble(directory: directory)
        try await double.start()
        let (server, key) = try freshServer()
        let client = try server.client(key: key)
        let connectStart = clock.now
        let connected = try await client.connectDirectory(connectRequest(double))
        let connectSeconds = secondsOf(clock.now - connectStart)
        guard connected.groupsCached == Int64(groups) else {
            throw BenchError("ConnectDirectory cached \(connected.groupsCached) groups, expected \(groups)")
        }
        let queries = GroupDirectory.queries(names: names, people: 5_000)
        // Sanity: every query is the prefix of a real name, so each must find at least one group.
        for query in queries.prefix(200) {
            let found = try await client.listGroups(query: query)
            guard !found.groups.isEmpty else { throw BenchError("ListGroups \(query) found nothing") }
        }
        let executor = try await client.connection().taskExecutor

        // Throughput: `concurrency` callers on the one connection, on its event loop.
        func loops(for duration: Double) async -> (calls: Int, errors: Int, empty: Int) {
            let end = clock.now + .milliseconds(Int64(duration * 1000))
            return await withTaskGroup(of: (Int, Int, Int).self) { group in
                for caller in 0..<concurrency {
                    group.addTask(executorPreference: executor) {
                        var calls = 0
                        var errors = 0
                        var empty = 0
                        var index = caller * 997
                        while clock.now < end {
                            do {
                                let found = try await client.listGroups(query: queries[index % queries.count])
                                calls += 1
                                if found.groups.isEmpty { empty += 1 }
                            } catch {
                                errors += 1
                            }
                            index += 1
                        }
                        return (calls, errors, empty)
                    }
                }
                var total = (calls: 0, errors: 0, empty: 0)
                for await (c, e, m) in group {
                    total.calls += c
                    total.errors += e
                    total.empty += m
                }
                return total
            }
        }
        log("ListGroups throughput…")
        _ = await loops(for: 1)
        let cpu0 = server.cpuSeconds()
        let t0 = clock.now
        let result = await loops(for: seconds)
        let elapsed = secondsOf(clock.now - t0)
        let cpu = server.cpuSeconds() - cpu0
        let rate = Double(result.calls) / elapsed

        // Latency: one call at a time.
        func latency(_ query: (Int) -> String, calls: Int) async throws -> (Histogram<UInt64>, Double, Double) {
            try await withTaskExecutorPreference(executor) {
                for i in 0..<2_000 { _ = try await client.listGroups(query: query(i)) }
                var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
                let cpu0 = server.cpuSeconds()
                let start = clock.now
                for i in 0..<calls {
                    let t = clock.now
                    _ = try await client.listGroups(query: query(i))
                    _ = histogram.record(nanos(clock.now - t))
                }
                let total = secondsOf(clock.now - start)
                return (histogram, total, server.cpuSeconds() - cpu0)
            }
        }
        log("ListGroups latency…")
        let (real, realTotal, realCPU) = try await latency({ queries[$0 % queries.count] }, calls: latencyCalls)
        log("ListGroups latency, no-match query…")
        let (none, noneTotal, noneCPU) = try await latency({ _ in "zzqx" }, calls: latencyCalls)
        await client.close()
        server.stop()
        try await double.stop()

        func us(_ h: Histogram<UInt64>, _ p: Double) -> String { f(Double(h.valueAtPercentile(p)) / 1000, 0) }
        print("### 3. ListGroups type-ahead, \(grouped(groups)) groups cached (one connection)")
        print("")
        print("ConnectDirectory (token, permission check, \(grouped(groups)) groups fetched in pages of 999 and cached): \(f(connectSeconds, 2)) s, groups_cached = \(connected.groupsCached). Queries: \(grouped(queries.count)) prefixes (1–6 characters) of \(grouped(5_000)) random group names, in typing order.")
        print("")
        print("| measure | value |")
        print("| --- | --- |")
        print("| throughput, \(concurrency) calls in flight, \(f(seconds, 0)) s | **\(grouped(Int(rate))) calls/s** (\(grouped(result.calls)) calls, errors \(result.errors), empty answers \(result.empty)) |")
        print("| server CPU per call at that load | \(f(cpu / Double(max(result.calls, 1)) * 1e6, 1)) µs (\(f(cpu, 2)) CPU-s over \(f(elapsed, 2)) s) |")
        print("| client round trip, 1 in flight: p50 / p90 / p99 / p99.9 / max | \(us(real, 50)) / \(us(real, 90)) / **\(us(real, 99))** / \(us(real, 99.9)) / \(f(Double(real.max) / 1000, 0)) µs (\(grouped(latencyCalls)) calls, \(grouped(Int(Double(latencyCalls) / realTotal))) calls/s) |")
        print("| server CPU per call, 1 in flight | \(f(realCPU / Double(latencyCalls) * 1e6, 1)) µs |")
        print("| same, query matching nothing (\"zzqx\"): p50 / p99 / p99.9 | \(us(none, 50)) / \(us(none, 99)) / \(us(none, 99.9)) µs (\(grouped(Int(Double(latencyCalls) / noneTotal))) calls/s; server CPU \(f(noneCPU / Double(latencyCalls) * 1e6, 1)) µs/call) |")
        print("")
        print("Throughput target ≥ 20,000 calls/s: \(rate >= 20_000 ? "met" : "NOT met"). Server-time target p99 < 1 ms: the client round trip p99 (\(us(real, 99)) µs) is an upper bound of the server time: \(Double(real.valueAtPercentile(99)) < 1_000_000 ? "met" : "NOT shown by this bound").")
        print("")
    }

    // MARK: - 4: 10,000 watchers

    func watchPart(_ double: GraphDouble) async throws {
        struct Outcome {
            var watched: Bool
            var wallSeconds: Double
            var durationMs: Int64
            var beforeKiB: Int
            var peakKiB: Int
            var hwmKiB: Int
            var samples: Int
            var finals = 0
            var messages = 0
            var firstMessageSeconds = 0.0
            var serverCPU = 0.0
        }
        var outcomes: [Outcome] = []
        for run in 1...watchRuns {
            for watched in [false, true] {
                log("watch run \(run) \(watched ? "with \(watchers) watchers" : "unwatched")…")
                let (server, key) = try freshServer()
                let clients = try (0..<watchConnections).map { _ in try server.client(key: key) }
                let connected = try await clients[0].connectDirectory(connectRequest(double))
                guard connected.state == .authorized else { throw BenchError("ConnectDirectory: \(connected.state)") }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for client in clients { group.addTask { _ = try await client.getStatus() } }
                    try await group.waitForAll()
                }
                try await Task.sleep(for: .milliseconds(500))
                let before = server.rssKiB()
                server.resetPeak()
                let sampler = RSSSampler(pid: server.pid)
                let cpu0 = server.cpuSeconds()
                let start = clock.now
                let started = try await clients[0].startSync(allUsersSync(forceFull: true))
                guard let job = started.job else { throw BenchError("no job") }
                var outcome = Outcome(watched: watched, wallSeconds: 0, durationMs: -1, beforeKiB: before, peakKiB: 0, hwmKiB: 0, samples: 0)
                if watched {
                    let perConnection = watchers / watchConnections
                    let firstMessages = Collector<Duration>()
                    let expected = Int64(users)
                    let results = try await withThrowingTaskGroup(of: (finals: Int, messages: Int, durationMs: Int64).self) { group in
                        for client in clients {
                            let executor = try await client.connection().taskExecutor
                            for _ in 0..<perConnection {
                                group.addTask(executorPreference: executor) {
                                    var messages = 0
                                    var last: ProgressUpdate?
                                    for try await update in try await client.watchProgress(jobID: job.id) {
                                        if messages == 0 { let t = clock.now - start; firstMessages.append(t) }
                                        messages += 1
                                        last = update
                                    }
                                    let ok = last.map { $0.final && $0.state == .succeeded && $0.summary?.totalContacts == expected } ?? false
                                    return (ok ? 1 : 0, messages, last?.summary?.durationMs ?? -1)
                                }
                            }
                        }
                        var total = (finals: 0, messages: 0, durationMs: Int64(-1))
                        for try await result in group {
                            total.finals += result.finals
                            total.messages += result.messages
                            total.durationMs = max(total.durationMs, result.durationMs)
                        }
                        return total
                    }
                    outcome.wallSeconds = secondsOf(clock.now - start)
                    outcome.finals = results.finals
                    outcome.messages = results.messages
                    outcome.durationMs = results.durationMs
                    outcome.firstMessageSeconds = firstMessages.values.max().map { secondsOf($0) } ?? -1
                } else {
                    // No stream at all: poll GetStatus every 50 ms until the job has finished.
                    while true {
                        let status = try await clients[0].getStatus()
                        if let last = status.lastFinishedJob, last.id == job.id {
                            outcome.wallSeconds = secondsOf(clock.now - start)
                            guard last.state == .succeeded else { throw BenchError("unwatched job: \(last.state)") }
                            outcome.durationMs = last.summary?.durationMs ?? -1
                            break
                        }
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                outcome.serverCPU = server.cpuSeconds() - cpu0
                let sampled = sampler.stop()
                outcome.peakKiB = sampled.peakKiB
                outcome.samples = sampled.samples
                outcome.hwmKiB = server.hwmKiB()
                for client in clients { await client.close() }
                server.stop()
                log("  wall \(f(outcome.wallSeconds)) s, duration_ms \(outcome.durationMs), RSS before \(outcome.beforeKiB) KiB peak \(outcome.peakKiB) KiB (HWM \(outcome.hwmKiB)), finals \(outcome.finals), messages \(outcome.messages), all streams' first message by \(f(outcome.firstMessageSeconds)) s, server CPU \(f(outcome.serverCPU, 2)) s")
                if watched && outcome.finals != watchers { throw BenchError("only \(outcome.finals) of \(watchers) watchers got the final message") }
                outcomes.append(outcome)
            }
        }
        let quiet = outcomes.filter { !$0.watched }
        let loud = outcomes.filter { $0.watched }
        func mib(_ kib: Int) -> Double { Double(kib) / 1024 }
        print("### 4. \(grouped(watchers)) WatchProgress streams over \(watchConnections) connections on one full sync of \(grouped(users)) users (\(watchRuns) runs each, forced full, runs alternated)")
        print("")
        print("| measure | unwatched (\(watchConnections) idle connections) | \(grouped(watchers)) watchers |")
        print("| --- | --- | --- |")
        print("| job duration_ms (server), median (min–max) s | \(summary(quiet.map { Double($0.durationMs) / 1000 })) | \(summary(loud.map { Double($0.durationMs) / 1000 })) |")
        print("| StartSync → finished (unwatched: seen by GetStatus polled every 50 ms; watched: last stream's final message) s | \(summary(quiet.map(\.wallSeconds))) | \(summary(loud.map(\.wallSeconds))) |")
        print("| rosterd VmRSS before StartSync, MiB | \(summary(quiet.map { mib($0.beforeKiB) }, digits: 1)) | \(summary(loud.map { mib($0.beforeKiB) }, digits: 1)) |")
        print("| rosterd peak VmRSS during the job (50 ms samples), MiB | \(summary(quiet.map { mib($0.peakKiB) }, digits: 1)) | \(summary(loud.map { mib($0.peakKiB) }, digits: 1)) |")
        print("| rosterd VmHWM after reset at StartSync, MiB | \(summary(quiet.map { mib($0.hwmKiB) }, digits: 1)) | \(summary(loud.map { mib($0.hwmKiB) }, digits: 1)) |")
        print("| growth: peak − before (max of samples and HWM), MiB | \(summary(quiet.map { mib(max($0.peakKiB, $0.hwmKiB) - $0.beforeKiB) }, digits: 1)) | \(summary(loud.map { mib(max($0.peakKiB, $0.hwmKiB) - $0.beforeKiB) }, digits: 1)) |")
        print("| rosterd CPU during the job, s | \(summary(quiet.map(\.serverCPU), digits: 2)) | \(summary(loud.map(\.serverCPU), digits: 2)) |")
        print("| watchers that got the final message with the summary | – | \(loud.map { "\(grouped($0.finals))" }.joined(separator: ", ")) of \(grouped(watchers)) |")
        print("| progress messages received in all (per run) | – | \(loud.map { grouped($0.messages) }.joined(separator: ", ")) |")
        print("| last stream's first message, s after StartSync | – | \(summary(loud.map(\.firstMessageSeconds))) |")
        let growth = median(loud.map { mib(max($0.peakKiB, $0.hwmKiB) - $0.beforeKiB) })
        let quietGrowth = median(quiet.map { mib(max($0.peakKiB, $0.hwmKiB) - $0.beforeKiB) })
        let slowdown = median(loud.map { Double($0.durationMs) }) / median(quiet.map { Double($0.durationMs) }) - 1
        print("")
        print("RSS growth with the streams (median): **\(f(growth, 1)) MiB** (unwatched run of the same job: \(f(quietGrowth, 1)) MiB; difference \(f(growth - quietGrowth, 1)) MiB); target ≤ 100 MB: \(growth * 1.048576 <= 100 ? "met" : "NOT met")")
        print("Job time with the streams vs unwatched (duration_ms medians): **\(slowdown >= 0 ? "+" : "")\(f(slowdown * 100, 1))%**; target within 10%: \(abs(slowdown) <= 0.10 ? "met" : "NOT met")")
        print("")
        print("Raw:")
        print("```")
        for o in outcomes {
            print("\(o.watched ? "watched  " : "unwatched") wall_s=\(f(o.wallSeconds)) duration_ms=\(o.durationMs) rss_before_kib=\(o.beforeKiB) rss_peak_kib=\(o.peakKiB) hwm_kib=\(o.hwmKiB) samples=\(o.samples) finals=\(o.finals) messages=\(o.messages) first_msg_s=\(f(o.firstMessageSeconds)) server_cpu_s=\(f(o.serverCPU, 2))")
        }
        print("```")
        print("")
    }
}
