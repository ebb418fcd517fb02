public import Logging
import Synchronization

/// A log handler that keeps every line it is given, with its level and metadata.
public final class RecordingLogHandler: LogHandler, Sendable {
    /// One logged line.
    public struct Line: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: Logger.Metadata
    }

    private let storage = Mutex<(lines: [Line], metadata: Logger.Metadata, level: Logger.Level)>(([], [:], .info))

    /// A handler passing lines at `level` and above.
    public init(level: Logger.Level) { storage.withLock { $0.level = level } }

    /// Every line so far, oldest first.
    public var lines: [Line] { storage.withLock { $0.lines } }

    public var logLevel: Logger.Level {
        get { storage.withLock { $0.level } }
        set { storage.withLock { $0.level = newValue } }
    }

    public var metadata: Logger.Metadata {
        get { storage.withLock { $0.metadata } }
        set { storage.withLock { $0.metadata = newValue } }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { storage.withLock { $0.metadata[key] } }
        set { storage.withLock { $0.metadata[key] = newValue } }
    }

    public func log(event: LogEvent) {
        storage.withLock { state in
            state.lines.append(
                Line(
                    level: event.level,
                    message: "\(event.message)",
                    metadata: state.metadata.merging(event.metadata ?? [:]) { $1 }
                )
            )
        }
    }
}

extension Logger {
    /// A logger at `level` whose lines `handler` keeps.
    public static func recording(_ handler: RecordingLogHandler) -> Logger {
        Logger(label: "test") { _ in handler }
    }
}
