internal import Foundation
public import RosterWire

/// The human-readable forms of numbers, durations, times and enum values.
public enum TextFormat {
    /// `4200` → "4,200".
    public static func count(_ value: Int64) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// A duration for people: "800 ms", "2.3 s", "12 s", "4 min 5 s", "1 h 3 min".
    public static func duration(ms: Int64) -> String {
        if ms < 1000 { return "\(ms) ms" }
        if ms < 10_000 {
            let tenths = (ms + 50) / 100
            return "\(tenths / 10).\(tenths % 10) s"
        }
        let seconds = (ms + 500) / 1000
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds / 60) min \(seconds % 60) s" }
        return "\(seconds / 3600) h \((seconds % 3600) / 60) min"
    }

    /// A whole-second duration for an ETA or a wait: "12 s", "4 min 5 s".
    public static func seconds(ms: Int64) -> String {
        let seconds = (ms + 999) / 1000
        return seconds < 60 ? "\(seconds) s" : duration(ms: seconds * 1000)
    }

    /// A Unix time in milliseconds as UTC ISO 8601 ("2026-11-26T09:53:20Z"); "-" for 0 (not set).
    public static func time(unixMs: Int64) -> String {
        guard unixMs != 0 else { return "-" }
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: Double(unixMs) / 1000))
    }

    /// An enum value's proto name without its prefix, lowercased: `JOB_STATE_SUCCEEDED` → "succeeded".
    public static func name<E: ProtoEnum>(_ value: E) -> String {
        guard let protoName = value.protoName else { return String(value.rawValue) }
        let prefix = commonPrefix(E.protoNames.values)
        return String(protoName.dropFirst(prefix.count)).lowercased()
    }

    private static func commonPrefix(_ names: some Collection<String>) -> String {
        guard let first = names.first else { return "" }
        var prefix = Substring(first)
        for name in names.dropFirst() {
            while !name.hasPrefix(prefix) { prefix = prefix.dropLast() }
        }
        // Cut back to the last underscore, so JOB_STATE_ stays whole.
        if let underscore = prefix.lastIndex(of: "_") { return String(prefix[...underscore]) }
        return ""
    }

    /// A phase for people: "listing members".
    public static func phase(_ phase: SyncPhase) -> String {
        name(phase).split(separator: "_").joined(separator: " ")
    }

    /// "all users" or "group NAME (ID)".
    public static func scope(_ scope: SyncScope?) -> String {
        guard let scope else { return "-" }
        switch scope.kind {
        case .allUsers: return "all users"
        case .group:
            return scope.groupDisplayName.isEmpty
                ? "group \(scope.groupID)" : "group \(scope.groupDisplayName) (\(scope.groupID))"
        default: return "-"
        }
    }

    /// "label:  value" lines with the values aligned.
    public static func labelled(_ rows: [(String, String)]) -> [String] {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { label, value in
            (label + ":").padding(toLength: width + 2, withPad: " ", startingAt: 0) + value
        }
    }

    /// Rows padded into left-aligned columns separated by two spaces.
    public static func table(_ header: [String], _ rows: [[String]]) -> [String] {
        let all = [header] + rows
        var widths = Array(repeating: 0, count: header.count)
        for row in all {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }
}
