import Foundation
import RosterService
import RosterStore
import RosterStoreTestSupport

/// ListContacts' search over ROWS contacts, as the service runs it (`ContactIndexCache.page`: the
/// generation check, the in-memory index, the page's contacts read by id): the index's build
/// after a sync (cold), then 2,000 searches of 1 to 4 typed characters (names, mails), page size
/// 100, p50 / p99 / max; beside the scan it replaced (``ContactSearch``, 20 searches).
enum SearchLatency {
    static func run(rows: Int) async throws {
        let directory = NSTemporaryDirectory() + "roster-search-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(configuration: .init(directory: directory))
        try await store.createTenant(
            TenantRecord(
                id: "bench",
                displayName: "Bench",
                authorityURL: "https://a",
                graphBaseURL: "https://g",
                createdAt: 1
            )
        )
        let contacts = SampleContacts.contacts(0..<rows)
        for start in stride(from: 0, to: rows, by: 999) {
            try await store.stage(job: "load", contacts: Array(contacts[start..<min(start + 999, rows)]), removals: [])
        }
        _ = try await store.apply(job: "load", tenant: "bench", kind: .replaceAll, now: 1, deltaLink: nil)

        let cache = ContactIndexCache(capacity: 1)
        let clock = ContinuousClock()
        let rssBefore = Self.rssMiB()
        let buildStart = clock.now
        let index = try await cache.index(tenant: "bench", store: store)
        let build = clock.now - buildStart
        let rssAfter = Self.rssMiB()

        var random = SystemRandomNumberGenerator()
        var queries: [String] = []
        for _ in 0..<2_000 {
            let contact = contacts[Int.random(in: 0..<rows, using: &random)]
            let source =
                [contact.givenName, contact.surname, contact.mail ?? contact.userPrincipalName, contact.displayName]
                .compactMap { $0 }.randomElement(using: &random) ?? "a"
            queries.append(String(source.prefix(Int.random(in: 1...4, using: &random))))
        }
        var milliseconds: [Double] = []
        var totals = 0
        for query in queries {
            let start = clock.now
            let page = try await cache.page(tenant: "bench", query: query, after: nil, pageSize: 100, store: store)
            milliseconds.append(Self.ms(clock.now - start))
            totals += page.total
        }
        var scan: [Double] = []
        for query in queries.prefix(20) {
            let start = clock.now
            _ = try await ContactSearch(query: query).page(store: store, tenant: "bench", after: nil, pageSize: 100)
            scan.append(Self.ms(clock.now - start))
        }
        await store.close()
        milliseconds.sort()
        scan.sort()
        func percentile(_ values: [Double], _ p: Double) -> String {
            String(format: "%.2f", values[min(values.count - 1, Int((Double(values.count) * p).rounded(.up)) - 1)])
        }
        print("## ListContacts search over \(rows) contacts (release)")
        print("")
        print(
            "- index build after a sync (cold, first search): \(String(format: "%.0f", Self.ms(build))) ms for \(index.count) contacts; RSS \(String(format: "%.1f", rssBefore)) → \(String(format: "%.1f", rssAfter)) MiB"
        )
        print(
            "- 2,000 searches of 1–4 characters, page 100 (mean \(totals / queries.count) matches each): p50 \(percentile(milliseconds, 0.5)) ms, p99 \(percentile(milliseconds, 0.99)) ms, max \(percentile(milliseconds, 1.0)) ms"
        )
        print(
            "- the scan it replaced, 20 of the same searches: p50 \(percentile(scan, 0.5)) ms, max \(percentile(scan, 1.0)) ms"
        )
    }

    /// Resident set size from /proc/self/statm (pages of 4 KiB).
    static func rssMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = text.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
        else { return 0 }
        return pages * 4096 / 1_048_576
    }

    static func ms(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }
}
