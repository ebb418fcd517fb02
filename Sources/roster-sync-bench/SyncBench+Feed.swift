import Foundation
import GraphTestDouble
import RosterClient
import RosterWire
import Synchronization

// Part "feed": the change feed's cost to a sync, and delivering a full sync's changes to many
// WatchContactChanges consumers.
extension SyncBench {
    func feedPart(_ double: GraphDouble) async throws {
        print("### Change feed (\(users) users, release build)")
        print("")
        try await feedCostPart(double)
        try await feedConsumersPart(double)
    }

    /// A full sync with the feed off (`--change-retention 0`) and on, alternating, `runs` pairs.
    private func feedCostPart(_ double: GraphDouble) async throws {
        var off: [Double] = []
        var on: [Double] = []
        for run in 1...runs {
            for feed in [false, true] {
                log("feed run \(run): full sync of \(users), feed \(feed ? "on" : "off")…")
                let server = Rosterd(binary: rosterd)
                if !feed { server.extraArguments = ["--change-retention", "0"] }
                let key = try server.addTenant("bench")
                try server.start()
                let client = try server.client(key: key)
                let connected = try await client.connectDirectory(connectRequest(double))
                guard connected.state == .authorized else { throw BenchError("ConnectDirectory: \(connected.state)") }
                try await photosOff(client)
                let outcome = try await timedSync(client, allUsersSync(forceFull: true))
                guard outcome.final.summary?.added == Int64(users) else {
                    throw BenchError("feed run: summary \(String(describing: outcome.final.summary))")
                }
                if feed {
                    let logged = try await client.listContactChanges(after: 0, pageSize: 1).changes.first?.cursor
                    guard logged == 1 else { throw BenchError("the feed logged no change") }
                    on.append(outcome.seconds)
                } else {
                    off.append(outcome.seconds)
                }
                log("  \(f(outcome.seconds)) s")
                await client.close()
                server.stop()
            }
        }
        print("#### (a) A full sync with the feed off and on (StartSync → final message; pairs alternate)")
        print("")
        print("| \(runs) runs each | median | min – max |")
        print("| --- | --- | --- |")
        print(
            "| feed off (`--change-retention 0`) | \(f(median(off))) s | \(f(off.min() ?? 0)) – \(f(off.max() ?? 0)) s |"
        )
        print("| feed on (default) | \(f(median(on))) s | \(f(on.min() ?? 0)) – \(f(on.max() ?? 0)) s |")
        print("| **on / off** | **\(f(median(on) / median(off), 2))x** | |")
        print("")
    }

    /// `consumers` WatchContactChanges streams (over `watchConnections / 10` connections) from
    /// cursor 0, then a full sync: the time from its final message (the apply committed) to the
    /// last consumer holding every change, and the server's memory.
    private func feedConsumersPart(_ double: GraphDouble) async throws {
        let consumers = 100
        let connections = 10
        log("feed consumers: \(consumers) streams over \(connections) connections, full sync of \(users)…")
        let (server, key) = try freshServer()
        let clients = try (0..<connections).map { _ in try server.client(key: key) }
        let connected = try await clients[0].connectDirectory(connectRequest(double))
        guard connected.state == .authorized else { throw BenchError("ConnectDirectory: \(connected.state)") }
        try await photosOff(clients[0])
        try await Task.sleep(for: .milliseconds(500))
        let before = server.rssKiB()
        _ = server.resetPeak()
        let sampler = RSSSampler(pid: server.pid)
        let expected = Int64(users)
        let committed = Mutex<ContinuousClock.Instant?>(nil)
        let (syncSeconds, lastDone, counts) = try await withThrowingTaskGroup(
            of: (ContinuousClock.Instant, Int64).self
        ) { group in
            for index in 0..<consumers {
                let client = clients[index % connections]
                group.addTask {
                    var seen: Int64 = 0
                    for try await change in try await client.watchContactChanges(after: 0) {
                        guard change.cursor == seen + 1 else {
                            throw BenchError("consumer got \(change.cursor) after \(seen)")
                        }
                        seen = change.cursor
                        if seen == expected { break }
                    }
                    return (clock.now, seen)
                }
            }
            let outcome = try await timedSync(clients[0], allUsersSync(forceFull: true))
            committed.withLock { $0 = clock.now }
            var last = clock.now
            var counts: [Int64] = []
            for try await (done, seen) in group {
                last = max(last, done)
                counts.append(seen)
            }
            return (outcome.seconds, last, counts)
        }
        let sampled = sampler.stop()
        let hwm = server.hwmKiB()
        for client in clients { await client.close() }
        server.stop()
        let afterCommit = committed.withLock { $0 }.map { secondsOf(lastDone - $0) } ?? -1
        guard counts.count == consumers, counts.allSatisfy({ $0 == expected }) else {
            throw BenchError("consumers got \(counts) changes, not \(expected) each")
        }
        log("  sync \(f(syncSeconds)) s; last consumer done \(f(afterCommit)) s after the final message")
        print("#### (b) \(consumers) WatchContactChanges consumers, a full sync of \(users)")
        print("")
        print("\(consumers) streams from cursor 0 over \(connections) connections, open before StartSync; each")
        print("checks that its cursors run 1, 2, 3 … without a gap or a repeat.")
        print("")
        print("| | |")
        print("| --- | --- |")
        print("| the sync (StartSync → final message) | \(f(syncSeconds)) s |")
        print("| final message → the last consumer holding all \(users) changes | **\(f(afterCommit)) s** |")
        print("| changes delivered | \(consumers) × \(users) = \(Int64(consumers) * expected) |")
        print(
            "| server RSS before / peak (sampled every 50 ms) / VmHWM | \(before / 1024) / \(sampled.peakKiB / 1024) / \(hwm / 1024) MiB |"
        )
        print("")
    }
}
