public import RosterWire

/// The progress line redrawn in place on a terminal:
///
///     [####......]  42%  fetching  fetched 4,200/10,000  added 12 updated 3 removed 0  ETA 12 s  waiting 5 s: directory throttling
public enum ProgressBar {
    /// Moves to the start of the line and clears it, before the line is drawn again.
    public static let redraw = "\r\u{1B}[2K"

    /// The line for `update`, without control characters; `width` is the number of cells in the bar.
    public static func line(for update: ProgressUpdate, width: Int = 10) -> String {
        let counters = update.counters ?? ProgressCounters()
        let percent = PlainProgressLines.wholePercent(update.percent)
        let filled = min(width, percent * width / 100)
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
        // The percentage right-aligned in four columns: "[…]  42%", "[…] 100%".
        var parts = [bar + String(repeating: " ", count: 4 - String(percent).count) + "\(percent)%"]
        let phase = update.phase == .unspecified ? TextFormat.name(update.state) : TextFormat.phase(update.phase)
        parts.append(phase)
        // While running, `total` is the users expected; on the final message it is the contacts
        // held after the job, which is no denominator for what was fetched.
        parts.append(
            counters.total > 0 && !update.final
                ? "fetched \(TextFormat.count(counters.fetched))/\(TextFormat.count(counters.total))"
                : "fetched \(TextFormat.count(counters.fetched))"
        )
        parts.append(
            "added \(TextFormat.count(counters.added)) updated \(TextFormat.count(counters.updated)) removed \(TextFormat.count(counters.removed))"
        )
        if update.etaMs > 0 { parts.append("ETA \(TextFormat.seconds(ms: update.etaMs))") }
        if update.throttleWaitMs > 0 {
            parts.append("waiting \(TextFormat.seconds(ms: update.throttleWaitMs)): directory throttling")
        }
        return parts.joined(separator: "  ")
    }
}
