public import NIOCore
internal import RosterWire

/// Limits and timers of one side of a Roster connection. Every limit is announced to the peer in
/// SETTINGS where PROTOCOL.md says so, and enforced before anything is allocated for it.
public struct RPCConfiguration: Sendable, Hashable {
    /// Largest frame payload (and so message) accepted. Default 4 MiB.
    public var maxFrameSize = 4 * 1024 * 1024
    /// Most calls the peer may have open on one connection. Default 4,096.
    public var maxConcurrentStreams = 4096
    /// Flow-control window, in MESSAGE payload bytes, granted to the peer on each stream. Default 256 KiB.
    public var initialWindowSize = 256 * 1024
    /// Largest HEADERS or TRAILERS payload accepted. Default 16 KiB.
    public var maxHeaderSize = 16 * 1024
    /// Time allowed for the TLS handshake, the preface and the first SETTINGS. Default 10 s.
    public var handshakeTimeout = TimeAmount.seconds(10)
    /// A connection with no open calls for this long is closed (server) with GOAWAY. Default 5 minutes.
    public var idleTimeout = TimeAmount.minutes(5)
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

