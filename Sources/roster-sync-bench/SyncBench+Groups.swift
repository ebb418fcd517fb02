import ArgumentParser
import Foundation
import GraphTestDouble
import Histogram
import RosterClient
import RosterRPC
import RosterWire
import Synchronization

// Part 3 of the bench: ListGroups type-ahead with many groups cached.
extension SyncBench {
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
        try await photosOff(client)
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
                var histogram = Histogram<UInt64>(
                    lowestDiscernibleValue: 1,
                    highestTrackableValue: 60_000_000_000,
                    numberOfSignificantValueDigits: .three
                )
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
        print(
            "ConnectDirectory (token, permission check, \(grouped(groups)) groups fetched in pages of 999 and cached): \(f(connectSeconds, 2)) s, groups_cached = \(connected.groupsCached). Queries: \(grouped(queries.count)) prefixes (1–6 characters) of \(grouped(5_000)) random group names, in typing order."
        )
        print("")
        print("| measure | value |")
        print("| --- | --- |")
        print(
            "| throughput, \(concurrency) calls in flight, \(f(seconds, 0)) s | **\(grouped(Int(rate))) calls/s** (\(grouped(result.calls)) calls, errors \(result.errors), empty answers \(result.empty)) |"
        )
        print(
            "| server CPU per call at that load | \(f(cpu / Double(max(result.calls, 1)) * 1e6, 1)) µs (\(f(cpu, 2)) CPU-s over \(f(elapsed, 2)) s) |"
        )
        print(
            "| client round trip, 1 in flight: p50 / p90 / p99 / p99.9 / max | \(us(real, 50)) / \(us(real, 90)) / **\(us(real, 99))** / \(us(real, 99.9)) / \(f(Double(real.max) / 1000, 0)) µs (\(grouped(latencyCalls)) calls, \(grouped(Int(Double(latencyCalls) / realTotal))) calls/s) |"
        )
        print("| server CPU per call, 1 in flight | \(f(realCPU / Double(latencyCalls) * 1e6, 1)) µs |")
        print(
            "| same, query matching nothing (\"zzqx\"): p50 / p99 / p99.9 | \(us(none, 50)) / \(us(none, 99)) / \(us(none, 99.9)) µs (\(grouped(Int(Double(latencyCalls) / noneTotal))) calls/s; server CPU \(f(noneCPU / Double(latencyCalls) * 1e6, 1)) µs/call) |"
        )
        print("")
        print(
            "Throughput target ≥ 20,000 calls/s: \(rate >= 20_000 ? "met" : "NOT met"). Server-time target p99 < 1 ms: the client round trip p99 (\(us(real, 99)) µs) is an upper bound of the server time: \(Double(real.valueAtPercentile(99)) < 1_000_000 ? "met" : "NOT shown by this bound")."
        )
        print("")
    }
}
