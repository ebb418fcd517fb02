import ArgumentParser
import Foundation
import GraphTestDouble
import Histogram
import RosterClient
import RosterRPC
import RosterWire
import Synchronization

// Part 4 of the bench: many WatchProgress streams on one running job.
extension SyncBench {
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
                try await photosOff(clients[0])
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
                var outcome = Outcome(
                    watched: watched,
                    wallSeconds: 0,
                    durationMs: -1,
                    beforeKiB: before,
                    peakKiB: 0,
                    hwmKiB: 0,
                    samples: 0
                )
                if watched {
                    let perConnection = watchers / watchConnections
                    let firstMessages = Collector<Duration>()
                    let expected = Int64(users)
                    let results = try await withThrowingTaskGroup(
                        of: (finals: Int, messages: Int, durationMs: Int64).self
                    ) { group in
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
                                    let ok =
                                        last.map {
                                            $0.final && $0.state == .succeeded && $0.summary?.totalContacts == expected
                                        } ?? false
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
                log(
                    "  wall \(f(outcome.wallSeconds)) s, duration_ms \(outcome.durationMs), RSS before \(outcome.beforeKiB) KiB peak \(outcome.peakKiB) KiB (HWM \(outcome.hwmKiB)), finals \(outcome.finals), messages \(outcome.messages), all streams' first message by \(f(outcome.firstMessageSeconds)) s, server CPU \(f(outcome.serverCPU, 2)) s"
                )
                if watched && outcome.finals != watchers {
                    throw BenchError("only \(outcome.finals) of \(watchers) watchers got the final message")
                }
                outcomes.append(outcome)
            }
        }
        let quiet = outcomes.filter { !$0.watched }
        let loud = outcomes.filter { $0.watched }
        func mib(_ kib: Int) -> Double { Double(kib) / 1024 }
        print(
            "### 4. \(grouped(watchers)) WatchProgress streams over \(watchConnections) connections on one full sync of \(grouped(users)) users (\(watchRuns) runs each, forced full, runs alternated)"
        )
        print("")
        print("| measure | unwatched (\(watchConnections) idle connections) | \(grouped(watchers)) watchers |")
        print("| --- | --- | --- |")
        print(
            "| job duration_ms (server), median (min–max) s | \(summary(quiet.map { Double($0.durationMs) / 1000 })) | \(summary(loud.map { Double($0.durationMs) / 1000 })) |"
        )
        print(
            "| StartSync → finished (unwatched: seen by GetStatus polled every 50 ms; watched: last stream's final message) s | \(summary(quiet.map(\.wallSeconds))) | \(summary(loud.map(\.wallSeconds))) |"
        )
        print(
            "| rosterd VmRSS before StartSync, MiB | \(summary(quiet.map { mib($0.beforeKiB) }, digits: 1)) | \(summary(loud.map { mib($0.beforeKiB) }, digits: 1)) |"
        )
        print(
            "| rosterd peak VmRSS during the job (50 ms samples), MiB | \(summary(quiet.map { mib($0.peakKiB) }, digits: 1)) | \(summary(loud.map { mib($0.peakKiB) }, digits: 1)) |"
        )
        print(
            "| rosterd VmHWM after reset at StartSync, MiB | \(summary(quiet.map { mib($0.hwmKiB) }, digits: 1)) | \(summary(loud.map { mib($0.hwmKiB) }, digits: 1)) |"
        )
        print(
            "| growth: peak − before (max of samples and HWM), MiB | \(summary(quiet.map { mib(max($0.peakKiB, $0.hwmKiB) - $0.beforeKiB) }, digits: 1)) | \(summary(loud.map { mib(max($0.peakKiB, $0.hwmKiB) - $0.beforeKiB) }, digits: 1)) |"
        )
        print(
            "| rosterd CPU during the job, s | \(summary(quiet.map(\.serverCPU), digits: 2)) | \(summary(loud.map(\.serverCPU), digits: 2)) |"
        )
        print(
            "| watchers that got the final message with the summary | – | \(loud.map { "\(grouped($0.finals))" }.joined(separator: ", ")) of \(grouped(watchers)) |"
        )
        print(
            "| progress messages received in all (per run) | – | \(loud.map { grouped($0.messages) }.joined(separator: ", ")) |"
        )
        print("| last stream's first message, s after StartSync | – | \(summary(loud.map(\.firstMessageSeconds))) |")
        let growth = median(loud.map { mib(max($0.peakKiB, $0.hwmKiB) - $0.beforeKiB) })
        let quietGrowth = median(quiet.map { mib(max($0.peakKiB, $0.hwmKiB) - $0.beforeKiB) })
        let slowdown = median(loud.map { Double($0.durationMs) }) / median(quiet.map { Double($0.durationMs) }) - 1
        print("")
        print(
            "RSS growth with the streams (median): **\(f(growth, 1)) MiB** (unwatched run of the same job: \(f(quietGrowth, 1)) MiB; difference \(f(growth - quietGrowth, 1)) MiB); target ≤ 100 MB: \(growth * 1.048576 <= 100 ? "met" : "NOT met")"
        )
        print(
            "Job time with the streams vs unwatched (duration_ms medians): **\(slowdown >= 0 ? "+" : "")\(f(slowdown * 100, 1))%**; target within 10%: \(abs(slowdown) <= 0.10 ? "met" : "NOT met")"
        )
        print("")
        print("Raw:")
        print("```")
        for o in outcomes {
            print(
                "\(o.watched ? "watched  " : "unwatched") wall_s=\(f(o.wallSeconds)) duration_ms=\(o.durationMs) rss_before_kib=\(o.beforeKiB) rss_peak_kib=\(o.peakKiB) hwm_kib=\(o.hwmKiB) samples=\(o.samples) finals=\(o.finals) messages=\(o.messages) first_msg_s=\(f(o.firstMessageSeconds)) server_cpu_s=\(f(o.serverCPU, 2))"
            )
        }
        print("```")
        print("")
    }
}
