public import NIOCore
internal import RosterWire

/// Limits and timers of one side of a Roster connection. Every limit is announced to the peer in
/// SETTINGS where PROTOCOL.md says so, and enforced before anything is allocated for it.
public struct RPCConfiguration: Sendable, Hashable {
    /// Largest frame payload (and so message) accepted. Default 4 MiB.
    public var maxFrameSize = 4 * 1024 * 1024
    /// Most calls the peer may have open on one connection. Default 100, as in gRPC.
    public var maxConcurrentStreams = 100
    /// Flow-control window, in MESSAGE payload bytes, granted to the peer on each stream. Default 256 KiB.
    public var initialWindowSize = 256 * 1024
    /// Largest HEADERS or TRAILERS payload accepted. Default 16 KiB.
    public var maxHeaderSize = 16 * 1024
    /// Time allowed for the TLS handshake, the preface and the first SETTINGS. Default 10 s.
    public var handshakeTimeout = TimeAmount.seconds(10)
    /// A connection with no open calls for this long is closed (server) with GOAWAY. Default 5 minutes.
    public var idleTimeout = TimeAmount.minutes(5)
    /// Server: a call's request MESSAGE must follow its HEADERS within this time, or the call
    /// ends with DEADLINE_EXCEEDED. Default 10 s.
    public var requestTimeout = TimeAmount.seconds(10)
    /// A frame whose first byte has arrived must complete within this time, or the connection
    /// ends with GOAWAY 4. Default 30 s (a 4 MiB frame at 1 Mbit/s takes 34 s: raise it for such links).
    public var frameTimeout = TimeAmount.seconds(30)
    /// Server: a connection older than this stops taking calls (GOAWAY 0) and closes once its
    /// calls end, within the grace period. Default nil: no limit.
    public var maxConnectionAge: TimeAmount?
    /// Bytes that may wait to be sent to a peer that is not reading (frames held while the
    /// channel is not writable, plus the channel's unwritten bytes). Past it a server closes the
    /// connection with GOAWAY 8 and a client fails new calls. Default 8 MiB (two largest frames).
    public var maxQueuedBytes = 8 * 1024 * 1024
    /// Server: calls answered but not yet sent to a client that is not reading. Past it the
    /// connection ends with GOAWAY 8. Default 256.
    public var maxUnsentCalls = 256
    /// Server: bytes of call metadata one connection may hold in calls whose request MESSAGE has
    /// not arrived; a HEADERS past it is refused with TRAILERS 8, so half-open calls on a few
    /// connections cannot use up the server-wide metadata budget. Default 256 KiB.
    public var maxHalfOpenHeaderBytes = 256 * 1024
    /// Server: unary handlers of one connection running at once; the connection's other calls
    /// wait, in order, with their requests (streaming handlers are not counted: they live long).
    /// Bounds what one client's calls cost while they run, e.g. 100 large listings never read.
    /// Default 16.
    public var maxExecutingUnaryCalls = 16
    /// Server: PINGs (without ACK) a client may send in one second. Default 10.
    public var maxPingsPerSecond = 10
    /// The channel stops being writable when this many bytes wait in its outbound buffer, and
    /// becomes writable again below the low mark; while it is not, the server stops reading
    /// from it. Default 512 KiB, with the low mark at a quarter of it.
    public var writeBufferHighWaterMark = 512 * 1024

    /// The channel option made of ``writeBufferHighWaterMark``.
    var writeBufferWaterMark: ChannelOptions.Types.WriteBufferWaterMark {
        .init(low: max(writeBufferHighWaterMark / 4, 1), high: max(writeBufferHighWaterMark, 2))
    }
    /// Client: send a PING after this long without receiving any frame. Default 30 s; nil turns keepalive off.
    public var keepaliveInterval: TimeAmount? = .seconds(30)
    /// Client: close the connection when a keepalive PING gets no answer within this time. Default 10 s.
    public var keepaliveTimeout = TimeAmount.seconds(10)

    public init() {}

    /// The SETTINGS frame payload announcing these limits.
    var settingsMessage: RPCMessages.Settings {
        var settings = RPCMessages.Settings()
        settings.maxFrameSize = UInt32(maxFrameSize)
        settings.maxConcurrentStreams = UInt32(maxConcurrentStreams)
        settings.initialWindowSize = UInt32(initialWindowSize)
        settings.maxHeaderSize = UInt32(maxHeaderSize)
        return settings
    }
}

