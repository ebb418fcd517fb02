public import CoreMetrics
public import Logging
public import NIOCore
internal import Synchronization

/// Why the server refused or ended something a client did: each cause has a counter and its own
/// rate-limited warning line.
public enum AbuseCause: String, Sendable, CaseIterable, Hashable {
    /// The first bytes were not the Roster preface.
    case badPreface = "bad_preface"
    /// A frame header announced more than `max_frame_size`.
    case frameTooLarge = "frame_too_large"
    /// A malformed frame, a frame on the wrong stream or in the wrong direction (§4, §5).
    case protocolViolation = "protocol_violation"
    /// More PINGs per second than allowed.
    case pingFlood = "ping_flood"
    /// No TLS handshake, preface and SETTINGS within the handshake timeout.
    case handshakeTimeout = "handshake_timeout"
    /// A frame started and did not finish within the frame timeout.
    case frameTimeout = "frame_timeout"
    /// HEADERS without its request MESSAGE within the request timeout.
    case requestTimeout = "request_timeout"
    /// A call over the connection's `max_concurrent_streams`, or over the server-wide cap.
    case refusedStream = "refused_stream"
    /// Call metadata over `max_header_size`, or over the server-wide budget for held metadata.
    case oversizedHeaders = "oversized_headers"
    /// A request MESSAGE over the server's request size limit (read past unbuffered).
    case oversizedRequest = "oversized_request"
    /// A connection over the server's connection limit.
    case connectionLimit = "connection_limit"
    /// A client that does not read its responses went over the queued-bytes or unsent-calls bound.
    case slowReader = "slow_reader"
}

/// Counts abuse per cause and writes at most one warning line per cause per interval, naming
/// the latest peer and how many times the cause was seen since the previous line. Shared by every
/// connection of a server; the counters are what a metrics endpoint exports.
public final class AbuseMonitor: Sendable {
    private struct CauseState {
        var total = 0
        var sinceLastLine = 0
        var lastLine: NIODeadline?
    }

    private let logger: Logger
    private let interval: TimeAmount
    private let state: Mutex<[AbuseCause: CauseState]>
    /// `roster_rpc_refused_total{cause}`, when the server has metrics.
    private let counters: [AbuseCause: Counter]

    /// - Parameters:
    ///   - interval: the least time between two warning lines of one cause. Default 10 s.
    ///   - metrics: where `roster_rpc_refused_total{cause}` counts each cause; nil for none.
    public init(logger: Logger, interval: Duration = .seconds(10), metrics: (any MetricsFactory)? = nil) {
        self.logger = logger
        self.interval = TimeAmount(interval)
        self.state = Mutex([:])
        var counters: [AbuseCause: Counter] = [:]
        if let metrics {
            for cause in AbuseCause.allCases {
                counters[cause] = Counter(
                    label: "roster_rpc_refused_total",
                    dimensions: [("cause", cause.rawValue)],
                    factory: metrics
                )
            }
        }
        self.counters = counters
    }

    /// Counts one occurrence; logs a warning unless one for this cause was written within the
    /// interval. Returns the line it logged, if any (for tests).
    @discardableResult
    public func record(_ cause: AbuseCause, peer: SocketAddress?, detail: String, now: NIODeadline) -> String? {
        counters[cause]?.increment()
        let count = state.withLock { states -> Int? in
            var entry = states[cause, default: CauseState()]
            entry.total += 1
            entry.sinceLastLine += 1
            defer { states[cause] = entry }
            if let last = entry.lastLine, now - last < interval { return nil }
            entry.lastLine = now
            let count = entry.sinceLastLine
            entry.sinceLastLine = 0
            return count
        }
        guard let count else { return nil }
        let peerText = peer.map { "\($0)" } ?? "unknown peer"
        let line =
            "refused \(cause.rawValue) from \(peerText): \(detail) (\(count) since the last \(cause.rawValue) line)"
        logger.warning(
            Logger.Message(stringLiteral: line),
            metadata: ["cause": .string(cause.rawValue), "peer": .string(peerText), "count": .stringConvertible(count)]
        )
        return line
    }

    /// How many times each cause has been seen since the server started.
    public var counts: [AbuseCause: Int] {
        state.withLock { states in states.mapValues(\.total) }
    }

    /// How many times `cause` has been seen since the server started.
    public func count(_ cause: AbuseCause) -> Int {
        state.withLock { $0[cause]?.total ?? 0 }
    }
}
