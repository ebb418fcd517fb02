internal import Foundation
package import Logging
internal import Synchronization

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// How `rosterd` writes its log lines on standard error.
package enum LogFormat: String, Sendable, CaseIterable {
    /// swift-log's `StreamLogHandler`: `TIME LEVEL LABEL: KEY=VALUE … [SOURCE] MESSAGE`.
    case text
    /// One JSON object per line (``JSONLogHandler``).
    case json
}

/// A log handler that writes one JSON object per line:
///
///     {"time":"2026-11-30T13:32:28.123Z","level":"trace","label":"rosterd","message":"call ended","rpc.code":"OK","rpc.request_id":"abc-123"}
///
/// `time` is RFC 3339 in UTC with milliseconds; `level`, `label` and `message` follow, then the
/// merged metadata (the handler's, the metadata provider's, the line's; an error's message and
/// type as `error.message` and `error.type`, as `StreamLogHandler` does), one field per key in key
/// order. String values are JSON strings; a nested list or dictionary is a JSON array or object of
/// the same shape. A metadata key equal to one of the four fixed fields is written as
/// `metadata.KEY`, so that no key repeats. Strings are escaped as JSON requires (quotes,
/// backslashes, control characters); other characters are written as they are, in UTF-8.
package struct JSONLogHandler: LogHandler {
    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    /// A handler writing to standard error.
    package static func standardError(label: String) -> JSONLogHandler {
        JSONLogHandler(label: label, metadataProvider: LoggingSystem.metadataProvider) { StandardError.emit($0) }
    }

    /// A handler giving each line (with its newline) to `write`.
    package init(
        label: String,
        metadataProvider: Logger.MetadataProvider? = nil,
        write: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let explicit = event.metadata { merged.merge(explicit) { $1 } }
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        write(
            Self.line(
                time: Self.timestamp(millisecondsSince1970: now),
                level: event.level,
                label: label,
                message: "\(event.message)",
                metadata: merged
            )
        )
    }

    /// The fixed fields, which metadata keys must not repeat.
    static let fixedFields: Set<String> = ["time", "level", "label", "message"]

    /// One log line: a JSON object and a newline.
    package static func line(
        time: String,
        level: Logger.Level,
        label: String,
        message: String,
        metadata: Logger.Metadata
    ) -> String {
        var line = "{\"time\":\"\(time)\",\"level\":\"\(level)\",\"label\":"
        appendString(label, to: &line)
        line += ",\"message\":"
        appendString(message, to: &line)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += ","
            appendString(fixedFields.contains(key) ? "metadata." + key : key, to: &line)
            line += ":"
            appendValue(value, to: &line)
        }
        line += "}\n"
        return line
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2026-11-30T13:32:28.123Z`.
    package static func timestamp(millisecondsSince1970 millisSinceEpoch: Int64) -> String {
        var seconds = time_t(millisSinceEpoch.floorDivided(by: 1000))
        let millis = Int(millisSinceEpoch - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))"
            + "T\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2))"
            + ".\(padded(Int32(millis), 3))Z"
    }

    private static func appendValue(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let text):
            appendString(text, to: &line)
        case .stringConvertible(let convertible):
            appendString(convertible.description, to: &line)
        case .array(let values):
            line += "["
            for (index, element) in values.enumerated() {
                if index > 0 { line += "," }
                appendValue(element, to: &line)
            }
            line += "]"
        case .dictionary(let entries):
            line += "{"
            for (index, (key, element)) in entries.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { line += "," }
                appendString(key, to: &line)
                line += ":"
                appendValue(element, to: &line)
            }
            line += "}"
        }
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped.
    static func appendString(_ text: String, to line: inout String) {
        line += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case "\u{08}": line += "\\b"
            case "\u{0C}": line += "\\f"
            case "\u{00}"..."\u{1F}", "\u{7F}":
                let hex = String(scalar.value, radix: 16)
                line += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}

extension Int64 {
    /// Division rounding toward negative infinity (times before 1970 stay in their second).
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? quotient - 1 : quotient
    }
}

/// Whole lines to standard error, one writer at a time, so lines of concurrent loggers do not mix.
private enum StandardError {
    static let lock = Mutex(())

    static func emit(_ line: String) {
        var bytes = Array(line.utf8)
        lock.withLock { _ in
            bytes.withUnsafeMutableBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return  // nowhere to report a log that cannot be written
                    }
                    offset += written
                }
            }
        }
    }
}
