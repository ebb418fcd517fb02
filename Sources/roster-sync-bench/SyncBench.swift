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
///    measured in the same run: `curl` downloading the same listing pages + the `sqlite3` CLI
///    inserting the same rows (dumped from rosterd's own database) in one transaction, and the
///    Graph requests the sync made;
/// 2. delta sync after 1% of the users changed;
/// 3. ListGroups type-ahead over one connection with 50,000 groups cached: throughput at
///    concurrency 32, latency at concurrency 1, server CPU per call;
/// 4. 10,000 WatchProgress streams over 100 connections on one running full sync: server RSS
///    and the job's time, beside an unwatched run of the same sync;
/// 5. (part `postgres`) replicas on a throwaway PostgreSQL cluster: a full sync beside curl +
///    `psql \copy`, reads with one and two replicas, WatchProgress across replicas, failover;
/// 6. (part `photos`) 10,000 users with photos: the first sync, and a sync after 1% of the photos
///    changed, requests made and time, beside the same sync with photos off.
///
/// The other parts turn each tenant's photo sync off, so they measure what they did before photos.
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
    @Option(help: "Tenants syncing the demo directory at the same moment (part tenants).")
    var tenants = 1_000
    @Option(help: "rosterd's --max-running-syncs for the tenants part.")
    var maxRunningSyncs = 16
    @Option(help: "Users, each with a photo, for the photos part.")
    var photoUsers = 10_000
    @Option(help: "Photos changed before the photos part's second sync.")
    var photoChanged = 100
    @Option(help: "Bytes of each photo in the photos part.")
    var photoBytes = 24_576
    @Option(help: "Parts to run: any of sync,groups,watch,tenants,postgres,feed,photos (comma-separated).")
    var parts = "sync,groups,watch"

    func run() async throws {
        let selected = Set(parts.split(separator: ",").map(String.init))
        printMachine()
        if selected.contains("sync") || selected.contains("watch") || selected.contains("feed") {
            let double = try await startDoubleOfSyncedUsers()
            if selected.contains("sync") { try await syncPart(double) }
            if selected.contains("watch") { try await watchPart(double) }
            if selected.contains("feed") { try await feedPart(double) }
            try await double.stop()
        }
        if selected.contains("groups") { try await groupsPart() }
        if selected.contains("tenants") { try await tenantsPart() }
        if selected.contains("postgres") { try await postgresPart() }
        if selected.contains("photos") { try await photosPart() }
    }

    /// The Graph double serving `users` generated users, started. Every one is enabled and a member,
    /// so that all of them become contacts (the generator leaves 1/97 disabled and 1/101 guests,
    /// which a sync leaves out).
    func startDoubleOfSyncedUsers() async throws -> GraphDouble {
        log("generating \(users) users…")
        var directory = GraphDoubleDirectory.generated(userCount: users)
        for index in directory.users.indices {
            directory.users[index]["accountEnabled"] = true
            directory.users[index]["userType"] = "Member"
        }
        let double = GraphDouble(directory: directory)
        try await double.start()
        return double
    }

    // MARK: - Machine

    func printMachine() {
        func first(_ program: String, _ arguments: [String]) -> String {
            ((try? Shell.run(program, arguments)) ?? "?").split(separator: "\n").first.map(String.init) ?? "?"
        }
        let memory =
            (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("MemTotal") }
            .map { $0.split(separator: " ").dropFirst().first.map(String.init) ?? "?" } ?? "?"
        let model =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "?" } ?? "?"
        print("## roster-sync-bench")
        print("")
        print("- date: \(first("/bin/date", ["-u", "+%Y-%m-%d %H:%M UTC"]))")
        print(
            "- machine: \(first("/usr/bin/nproc", [])) cores (\(model)), MemTotal \(memory) kB, \(first("/bin/uname", ["-sr"]))"
        )
        print("- \(first("/usr/bin/env", ["swift", "--version"]))")
        print(
            "- \(first("/usr/bin/env", ["openssl", "version"])); sqlite3 \(first("/usr/bin/sqlite3", ["--version"]).split(separator: " ").first ?? "?"); \(first("/usr/bin/curl", ["--version"]).split(separator: " ").prefix(2).joined(separator: " "))"
        )
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
            timeline.append(
                "\(f(secondsOf(clock.now - start))) s: \(update.state) \(update.phase) fetched=\(update.counters?.fetched ?? 0) elapsed_ms=\(update.elapsedMs) \(update.message)"
            )
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
        var fullRequests: [Int] = []
        var deltaRequests: [Int] = []
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
            try await photosOff(client)
            guard connected.state == .authorized else { throw BenchError("ConnectDirectory: \(connected.state)") }

            log("run \(run): full sync of \(users)…")
            let requestsBefore = double.requests.count
            let full = try await timedSync(client, allUsersSync())
            fullRequests.append(double.requests.dropFirst(requestsBefore).filter { $0.path.hasPrefix("/v1.0/") }.count)
            guard full.mode == .full, full.final.summary?.totalContacts == Int64(users),
                full.final.summary?.added == Int64(users)
            else {
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
                double.updateUser(
                    id: GraphDoubleDirectory.userID(k * step),
                    ["jobTitle": .string("Bench run \(run) title \(k)")]
                )
            }
            log("run \(run): delta sync after \(changed) changes…")
            let deltaBefore = double.requests.count
            let delta = try await timedSync(client, allUsersSync())
            deltaRequests.append(double.requests.dropFirst(deltaBefore).filter { $0.path.hasPrefix("/v1.0/") }.count)
            guard delta.mode == .delta, delta.final.summary?.updated == Int64(changed),
                delta.final.summary?.totalContacts == Int64(users)
            else {
                throw BenchError("delta sync: mode \(delta.mode), summary \(String(describing: delta.final.summary))")
            }
            deltaSeconds.append(delta.seconds)
            let deltaCurl = try curl.timedDeltaDownload(since: version)
            deltaCurlSeconds.append(deltaCurl.seconds)
            if run == 1 {
                deltaTimeline = delta.timeline;
                fullTimeline =
                    full.timeline.count > 12
                    ? Array(full.timeline.prefix(6) + ["…"] + full.timeline.suffix(5)) : full.timeline
            }
            deltaServerMs.append(Double(delta.final.summary?.durationMs ?? -1))
            await client.close()
            server.stop()

            // The floor, same run.
            log("run \(run): curl…")
            let curlTime = try curl.timedDownload()
            log("run \(run): sqlite3…")
            let sqliteTime = try SQLiteFloor.timedInsert(
                script: sqlFile!,
                database: work + "/cli-\(run).sqlite",
                expect: users
            )
            curlSeconds.append(curlTime)
            sqliteSeconds.append(sqliteTime)
            floorSeconds.append(curlTime + sqliteTime)
            let line =
                "run \(run): full_s=\(f(full.seconds)) full_server_ms=\(full.final.summary?.durationMs ?? -1) delta_s=\(f(delta.seconds)) delta_server_ms=\(delta.final.summary?.durationMs ?? -1) curl_s=\(f(curlTime)) sqlite3_s=\(f(sqliteTime)) floor_s=\(f(curlTime + sqliteTime)) ratio=\(f(full.seconds / (curlTime + sqliteTime), 2))"
            rawLines.append(line)
            log(line)
        }

        print(
            "### 1. Full all-users sync of \(grouped(users)) users beside the floor (\(runs) runs, seconds: median (min–max))"
        )
        print("")
        print(
            "Listing chain: \(curl.urls.count) pages of up to \(CurlFloor.pageSize) users, \(grouped(curl.bytes)) bytes of JSON."
        )
        print("")
        print(
            "Graph requests per full sync (token requests aside): \(fullRequests.map(String.init).joined(separator: ", ")) (target ≤ 110 per 100,000 users); per delta sync: \(deltaRequests.map(String.init).joined(separator: ", "))."
        )
        print("")
        print("| measure | median (min–max) s |")
        print("| --- | --- |")
        print("| rosterd: StartSync → final WatchProgress message (SUCCEEDED) | \(summary(fullSeconds)) |")
        print("| rosterd: the job's own duration_ms (summary) | \(summary(fullServerMs.map { $0 / 1000 })) |")
        print("| floor part: curl downloading the same \(curl.urls.count) pages | \(summary(curlSeconds)) |")
        print(
            "| floor part: sqlite3 CLI inserting the same \(grouped(users)) rows (one transaction) | \(summary(sqliteSeconds)) |"
        )
        print("| floor = curl + sqlite3 (per run) | \(summary(floorSeconds)) |")
        let ratio = median(fullSeconds) / median(floorSeconds)
        let perRun = zip(fullSeconds, floorSeconds).map { $0 / $1 }
        print("")
        print(
            "Roster ÷ floor (medians): **\(f(ratio, 2))x** (per run \(f(perRun.min()!, 2))–\(f(perRun.max()!, 2))x); target ≤ 1.3x: \(ratio <= 1.3 ? "met" : "NOT met")"
        )
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
        print(
            "Delta ÷ full (medians): **\(f(deltaShare * 100, 1))%**; target ≤ 5%: \(deltaShare <= 0.05 ? "met" : "NOT met")"
        )
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

}
