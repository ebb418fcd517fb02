internal import NIOCore

/// A server's limits and clocks: per connection (``connection`` plus the timers and bounds
/// below) and over all connections. `rosterd` exposes each as a setting (README, "Configuration
/// reference"); PROTOCOL.md §13 gives each one's exact answer.
public struct RPCServerLimits: Sendable, Hashable {
    /// Frame, stream, window and queue limits of each connection.
    public var connection = RPCConnectionLimits.defaults
    /// Time allowed for the TLS handshake, the preface and the first SETTINGS. Default 10 s.
    public var handshakeTimeout = Duration.seconds(10)
    /// A connection with no open calls for this long is closed with GOAWAY. Default 5 minutes.
    public var idleTimeout = Duration.seconds(5 * 60)
    /// A call's request MESSAGE must follow its HEADERS within this time, or the call ends with
    /// DEADLINE_EXCEEDED. Default 10 s.
    public var requestTimeout = Duration.seconds(10)
    /// A frame whose first byte has arrived must complete within this time, or the connection
    /// ends with GOAWAY 4. Default 30 s (a 4 MiB frame at 1 Mbit/s takes 34 s: raise it for such links).
    public var frameTimeout = Duration.seconds(30)
    /// A connection whose channel stays unwritable this long, its client taking none of what
    /// waits, ends with GOAWAY 8 (a slow reader that takes some restarts the clock). While the
    /// channel is not writable no unary handler of the connection's calls starts, so such a
    /// client costs waiting requests, not responses. Default 30 s.
    public var sendStallTimeout = Duration.seconds(30)
    /// Largest request message a call takes. A larger one is read past as it arrives, never
    /// buffered, and its call ends with TRAILERS 8. Default 64 KiB: requests are small (responses
    /// are bounded by the client's `max_frame_size` instead), and a client that sends a 4 MiB
    /// request to a method that takes a few bytes then costs no 4 MiB buffer, page faults and
    /// copies on the event loop. Above ``RPCConnectionLimits/maxFrameSize`` it changes nothing.
    public var maxRequestSize = 64 * 1024
    /// A connection older than this stops taking calls (GOAWAY 0) and closes once its calls
    /// end, within the grace period. Default nil: no limit.
    public var maxConnectionAge: Duration?
    /// Calls answered but not yet sent to a client that is not reading. Past it the connection
    /// ends with GOAWAY 8. Default 256.
    public var maxUnsentCalls = 256
    /// Bytes of call metadata one connection may hold in calls whose request MESSAGE has not
    /// arrived; a HEADERS past it is refused with TRAILERS 8, so half-open calls on a few
    /// connections cannot use up the server-wide metadata budget. Default 256 KiB.
    public var maxHalfOpenHeaderBytes = 256 * 1024
    /// Unary handlers of one connection running at once; the connection's other calls wait, in
    /// order, with their requests (streaming handlers are not counted: they live long). Bounds
    /// what one client's calls cost while they run, e.g. 100 large listings never read. Default 16.
    public var maxExecutingUnaryCalls = 16
    /// Calls of background methods (large listings, ``RPCRouter/Placement/background``) running
    /// at once over all connections; the others wait, taking turns between connections. Default:
    /// one fewer than the machine's cores (at least 1), so that a core stays free for every
    /// other call however many large pages clients ask for.
    public var maxBackgroundCalls = max(1, System.coreCount - 1)
    /// PINGs (without ACK) a client may send in one second. Default 10.
    public var maxPingsPerSecond = 10
    /// Most connections served at once; more are told so with GOAWAY. Default 10,000.
    public var maxConnections = 10_000
    /// Most calls open at once over all connections; more are refused with TRAILERS 8.
    /// Default 10,000.
    public var maxOpenCalls = 10_000
    /// Most bytes of call metadata (HEADERS payloads) that open calls may hold over all
    /// connections; more are refused with TRAILERS 8. Default 64 MiB.
    public var maxHeldMetadataBytes = 64 * 1024 * 1024
    /// How long calls may run on after a graceful shutdown (or a drain) begins. Default 10 s.
    public var gracePeriod = Duration.seconds(10)

    /// The defaults above.
    public static var defaults: Self { Self() }

    public init() {}
}
