import Foundation
import RosterStore
import RosterStoreTestSupport
import Synchronization

/// GetContact's latency while a large sync writes: `roster-store-bench reads [ROWS] [RUNS]`.
///
/// Tenants "busy" and "quiet" each hold ROWS contacts. Each run measures three windows: reads
/// alone (the baseline), then reads from the busy tenant while it stages and applies a full sync of
/// ROWS contacts that changes every one of them, then reads from the quiet tenant during the same
/// kind of sync of the busy one. During the syncs, three other jobs stage a page of 999 contacts
/// every 100 ms each, as other tenants' syncs do. Readers: 4 tasks, each reading one contact by id
/// (what GetContact does) about once per millisecond. A read slower than that also counts the
/// reads its reader missed meanwhile (a stall of 100 ms: latencies of 100, 99, … 1 ms), so that
/// the percentiles are those of a client reading at that pace.
enum ReadsDuringApply {
    static let readers = 4
    static let otherStagers = 3
    /// Milliseconds between a reader's reads.
    static let pace = 1.0

    static func run(rows: Int, runs: Int) async throws {
        var latencies: [String: [Double]] = [:]
        var syncTimes: [String: [Double]] = [:]
        for run in 1...runs {
            let (store, directory) = try await StoreBench.makeStore(tenants: ["busy", "quiet"])
            defer { try? FileManager.default.removeItem(atPath: directory) }
            for tenant in ["busy", "quiet"] {
                try await StoreBench.stage(store, job: "fill-\(tenant)", SampleContacts.contacts(0..<rows), [])
                _ = try await store.apply(
                    job: "fill-\(tenant)",
                    tenant: tenant,
                    kind: .replaceAll,
                    now: 1,
                    deltaLink: nil
                )
            }
            let ids = (0..<rows).map(SampleContacts.guid)

            latencies["no sync running", default: []] += try await reading(store, tenant: "busy", ids: ids) {
                try await Task.sleep(for: .seconds(3))
            }
            for (window, tenant, version) in [
                ("sync of the same tenant", "busy", 1), ("sync of another tenant", "quiet", 0),
            ] {
                let contacts = (0..<rows).map { SampleContacts.contact($0, version: version) }
                latencies[window, default: []] += try await reading(store, tenant: tenant, ids: ids) {
                    try await withOtherJobsStaging(store) {
                        let job = "sync-\(version)"
                        let stage = try await StoreBench.time {
                            try await StoreBench.stage(store, job: job, contacts, [])
                        }
                        var counts = ApplyCounts()
                        let apply = try await StoreBench.time {
                            counts = try await store.apply(
                                job: job,
                                tenant: "busy",
                                kind: .replaceAll,
                                now: 2,
                                deltaLink: nil
                            )
                        }
                        StoreBench.check(counts.updated == rows, "the sync updated \(counts.updated) of \(rows)")
                        syncTimes["stage \(rows)", default: []].append(stage)
                        syncTimes["apply \(rows) (every contact changed)", default: []].append(apply)
                    }
                }
            }
            await store.close()
            print("run \(run) of \(runs) done")
        }
        print(
            "\n| GetContact by id (\(readers) readers) | samples | p50 ms | p99 ms | max ms |\n| --- | --- | --- | --- | --- |"
        )
        for window in ["no sync running", "sync of the same tenant", "sync of another tenant"] {
            let sorted = latencies[window, default: []].sorted()
            guard !sorted.isEmpty else { continue }
            func percentile(_ p: Double) -> String {
                StoreBench.format(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))])
            }
            print(
                "| \(window) | \(sorted.count) | \(percentile(0.5)) | \(percentile(0.99)) | \(StoreBench.format(sorted.last!)) |"
            )
        }
        print("\n| the sync's writes | median ms | min–max ms |\n| --- | --- | --- |")
        for (name, values) in syncTimes.sorted(by: { $0.key > $1.key }) {
            let sorted = values.sorted()
            print(
                "| \(name) | \(StoreBench.format(sorted[sorted.count / 2])) | \(StoreBench.format(sorted.first!))–\(StoreBench.format(sorted.last!)) |"
            )
        }
    }

    /// Runs `work` while the readers read contacts of `tenant` by id; returns every read's latency in ms.
    static func reading(
        _ store: SQLiteStore,
        tenant: String,
        ids: [String],
        during work: () async throws -> Void
    ) async throws -> [Double] {
        let done = StopFlag()
        return try await withThrowingTaskGroup(of: [Double].self) { group in
            for reader in 0..<readers {
                group.addTask {
                    var random = SplitMix(seed: UInt64(reader))
                    var latencies: [Double] = []
                    while !done.isSet {
                        let id = ids[Int(random.next() % UInt64(ids.count))]
                        let start = ContinuousClock.now
                        let found = try await store.contact(tenant: tenant, id: id)
                        let latency = StoreBench.milliseconds(ContinuousClock.now - start)
                        latencies.append(latency)
                        // The reads this reader would have made meanwhile, as HdrHistogram's
                        // recordValue(_:expectedInterval:) counts them: one stalled read must not
                        // stand for the second of reads a client would have had to wait.
                        var missed = latency - pace
                        while missed >= pace {
                            latencies.append(missed)
                            missed -= pace
                        }
                        StoreBench.check(found != nil, "contact \(id) of \(tenant) not found")
                        try await Task.sleep(for: .milliseconds(Int(pace)))
                    }
                    return latencies
                }
            }
            try await work()
            done.set()
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// Runs `work` while other jobs each stage a page of 999 contacts every 100 ms, then drops their staging.
    static func withOtherJobsStaging(_ store: SQLiteStore, _ work: () async throws -> Void) async throws {
        let done = StopFlag()
        let page = SampleContacts.contacts(0..<999)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for stager in 0..<otherStagers {
                group.addTask {
                    while !done.isSet {
                        try await store.stage(job: "other-\(stager)", contacts: page, removals: [])
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
            }
            try await work()
            done.set()
            try await group.waitForAll()
        }
        _ = try await store.cleanStaging(except: [])
    }
}

/// Tells the loops of a measurement to stop.
final class StopFlag: Sendable {
    private let value = Atomic(false)

    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
