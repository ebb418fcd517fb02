import Foundation

/// One probe's result: the server's RSS around it, the healthy calls' latency during it, and what
/// the abusive connections saw.
struct AbuseReport: Sendable {
    var probe: String
    var summary: String
    var beforeKiB: Int
    /// At the probe's worst moment (connections still held), or at its end.
    var afterKiB: Int
    /// The largest VmRSS sampled during the probe.
    var peakKiB: Int
    /// After the connections were closed and the settle time passed.
    var settledKiB: Int
    var settleSeconds: Double
    var healthy: HealthyCalls.Summary
    var seconds: Double
    var verdict: String
    var note: String

    private static func mib(_ kib: Int) -> String { mibText(Double(kib) / 1024) }
    private static func delta(_ kib: Int) -> String {
        let text = mibText(Double(kib) / 1024)
        return text == "-0.0" || text == "0.0" ? "0.0" : (kib > 0 ? "+" : "") + text
    }
    private static func ms(_ micros: UInt64) -> String { String(format: "%.2f", Double(micros) / 1000) }

    /// One line, `key=value` pairs after "PROBE", the note last.
    var line: String {
        [
            "PROBE \(probe)",
            "rss_before_mib=\(Self.mib(beforeKiB))",
            "rss_after_mib=\(Self.mib(afterKiB))",
            "rss_peak_mib=\(Self.mib(peakKiB))",
            "rss_settled_mib=\(Self.mib(settledKiB))",
            "delta_mib=\(Self.delta(afterKiB - beforeKiB))",
            "settled_delta_mib=\(Self.delta(settledKiB - beforeKiB))",
            "healthy_p50_ms=\(Self.ms(healthy.p50Micros))",
            "healthy_p99_ms=\(Self.ms(healthy.p99Micros))",
            "healthy_calls=\(healthy.calls)",
            "healthy_failed=\(healthy.failed)",
            "seconds=\(seconds.formatted1)",
            "check=\"\(verdict)\"",
            "note=\"\(note.replacingOccurrences(of: "\"", with: "'"))\"",
        ].joined(separator: " ")
    }

    /// A markdown table of `reports`.
    static func markdown(_ reports: [AbuseReport]) -> String {
        let settle = reports.first.map { "+\($0.settleSeconds.formatted1) s" } ?? ""
        var lines = [
            "| probe | what it does | RSS before MiB | after | peak | settled (\(settle)) | Δ after | Δ settled | healthy p50 / p99 ms | healthy calls (failed) | s | check | what the client saw |",
            "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|",
        ]
        for r in reports {
            let cells = [
                r.probe, r.summary, mib(r.beforeKiB), mib(r.afterKiB), mib(r.peakKiB), mib(r.settledKiB),
                delta(r.afterKiB - r.beforeKiB), delta(r.settledKiB - r.beforeKiB),
                "\(ms(r.healthy.p50Micros)) / \(ms(r.healthy.p99Micros))", "\(r.healthy.calls) (\(r.healthy.failed))",
                r.seconds.formatted1, r.verdict, r.note,
            ]
            lines.append(
                "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |"
            )
        }
        return lines.joined(separator: "\n")
    }
}
