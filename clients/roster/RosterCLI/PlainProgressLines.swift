public import RosterWire

/// The progress output when standard output is not a terminal: one `key=value` line per change, in
/// a stable format scripts and tests can read. An update that changes only the ETA or the elapsed
/// time prints nothing.
///
///     phase=fetching state=running fetched=4200 total=10000 added=0 updated=0 removed=0 percent=42 eta_ms=12000 throttle_wait_ms=0
public struct PlainProgressLines: Sendable {
    private var lastKey: String?

    public init() {}

    /// The line for `update`, or nil when nothing but the ETA or elapsed time changed since the last.
    public mutating func line(for update: ProgressUpdate) -> String? {
        let counters = update.counters ?? ProgressCounters()
        let key = [
            "phase=\(TextFormat.name(update.phase))",
            "state=\(TextFormat.name(update.state))",
            "fetched=\(counters.fetched)",
            "total=\(counters.total)",
            "added=\(counters.added)",
            "updated=\(counters.updated)",
            "removed=\(counters.removed)",
            "percent=\(Self.wholePercent(update.percent))",
        ].joined(separator: " ")
        let throttle = "throttle_wait_ms=\(update.throttleWaitMs)"
        let fullKey = key + " " + throttle
        guard fullKey != lastKey else { return nil }
        lastKey = fullKey
        return "\(key) eta_ms=\(update.etaMs) \(throttle)"
    }

    /// The percentage cut to a whole number within 0…100.
    static func wholePercent(_ percent: Float) -> Int {
        guard percent.isFinite else { return 0 }
        return Int(min(max(percent, 0), 100))
    }
}
