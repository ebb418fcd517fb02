public import CoreMetrics
internal import NIOCore
internal import Synchronization

/// The call runtime's metrics, through swift-metrics (rosterd exports them to Prometheus):
///
/// | name | kind | labels |
/// |---|---|---|
/// | `roster_rpc_calls_total` | counter | `method`, `code` |
/// | `roster_rpc_call_duration_seconds` | histogram | `method` |
/// | `roster_rpc_connections_closed_total` | counter | `cause` (``ConnectionEnd``) |
/// | `roster_rpc_refused_total` | counter | `cause` (``AbuseCause``) |
/// | `roster_rpc_open_connections`, `roster_rpc_open_calls` | gauge | — |
///
/// Label values come from fixed sets only: `method` is a path the router serves, or `unknown`
/// (a client cannot grow the label set by calling made-up methods); `code` a status name.
/// A server without metrics has none of this: its handlers skip every step.
public final class RPCMetrics: Sendable {
    /// The name of the call-latency histogram, for a factory that sets its buckets.
    public static let callDurationLabel = "roster_rpc_call_duration_seconds"

    private struct CallKey: Hashable {
        var method: String
        var code: RPCError.Code
    }

    private let factory: any MetricsFactory
    private let methods: Set<String>
    private let calls = Mutex<[CallKey: Counter]>([:])
    private let durations: [String: Timer]
    private let closes: [ConnectionEnd: Counter]
    private let openConnections: Gauge
    private let openCalls: Gauge

    /// Metrics made by `factory`, for a server serving `methods` (paths).
    public init(factory: any MetricsFactory, methods: some Sequence<String>) {
        self.factory = factory
        self.methods = Set(methods)
        var durations: [String: Timer] = [:]
        for method in self.methods + [Self.unknownMethod] {
            durations[method] = Timer(
                label: Self.callDurationLabel,
                dimensions: [("method", method)],
                factory: factory
            )
        }
        self.durations = durations
        var closes: [ConnectionEnd: Counter] = [:]
        for end in ConnectionEnd.allCases {
            closes[end] = Counter(
                label: "roster_rpc_connections_closed_total",
                dimensions: [("cause", end.rawValue)],
                factory: factory
            )
        }
        self.closes = closes
        self.openConnections = Gauge(label: "roster_rpc_open_connections", factory: factory)
        self.openCalls = Gauge(label: "roster_rpc_open_calls", factory: factory)
    }

    /// The `method` label of calls to paths the server does not serve.
    static let unknownMethod = "unknown"

    /// Counts a call that ended with `code`, and its time from HEADERS to TRAILERS when it started.
    func callEnded(method path: String, code: RPCError.Code, duration: TimeAmount?) {
        let method = methods.contains(path) ? path : Self.unknownMethod
        let key = CallKey(method: method, code: code)
        let counter = calls.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = Counter(
                label: "roster_rpc_calls_total",
                dimensions: [("method", method), ("code", code.description)],
                factory: factory
            )
            counters[key] = counter
            return counter
        }
        counter.increment()
        if let duration { durations[method]?.recordNanoseconds(duration.nanoseconds) }
    }

    /// Counts a connection that closed, by why.
    func connectionEnded(_ end: ConnectionEnd) {
        closes[end]?.increment()
    }

    /// Sets the gauges of what is open now (a scrape asks just before it reads them).
    func recordOpen(connections: Int, calls: Int) {
        openConnections.record(connections)
        openCalls.record(calls)
    }
}

/// Why a server connection closed: the `cause` label of `roster_rpc_connections_closed_total`.
public enum ConnectionEnd: String, Sendable, CaseIterable, Hashable {
    /// The client closed it (or the network did) while it was in good standing.
    case peerClosed = "peer_closed"
    /// The server closed it in good standing: idle timeout, maximum age, or a drain that ended.
    case serverClosed = "server_closed"
    /// The server is shutting down.
    case shutdown
    /// A TLS or socket error.
    case transportError = "transport_error"
    /// The server refused the client's abuse; see `roster_rpc_refused_total` for which.
    case abuse
    /// Over the server's connection limit, or arriving while it stops: refused before any call.
    case refused
}
