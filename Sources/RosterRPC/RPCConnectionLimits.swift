internal import NIOCore
internal import RosterWire

/// The limits both sides of a Roster connection announce and enforce: frames, streams, flow
/// control, and what may wait to be sent. Every limit is announced to the peer in SETTINGS where
/// PROTOCOL.md says so, and enforced before anything is allocated for it. Part of
/// ``RPCServerLimits`` (server) and ``RPCClientConnection/Configuration`` (client).
public struct RPCConnectionLimits: Sendable, Hashable {
    /// Largest frame payload (and so message) accepted. Default 4 MiB.
    public var maxFrameSize = 4 * 1024 * 1024
    /// Most calls the peer may have open on one connection. Default 100, as in gRPC.
    public var maxConcurrentStreams = 100
    /// Flow-control window, in MESSAGE payload bytes, granted to the peer on each stream. Default 256 KiB.
    public var initialWindowSize = 256 * 1024
    /// Largest HEADERS or TRAILERS payload accepted. Default 16 KiB.
    public var maxHeaderSize = 16 * 1024
    /// Bytes that may wait to be sent to a peer that is not reading (frames held while the
    /// channel is not writable, plus the channel's unwritten bytes). Past it a server closes the
    /// connection with GOAWAY 8 and a client fails new calls. Default 8 MiB (two largest frames).
    public var maxQueuedBytes = 8 * 1024 * 1024
    /// The channel stops being writable when this many bytes wait in its outbound buffer, and
    /// becomes writable again below the low mark; while it is not, the server stops reading
    /// from it. Default 512 KiB, with the low mark at a quarter of it.
    public var writeBufferHighWaterMark = 512 * 1024

    /// PROTOCOL.md's defaults.
    public static var defaults: Self { Self() }

    public init() {}

    /// The channel option made of ``writeBufferHighWaterMark``.
    var writeBufferWaterMark: ChannelOptions.Types.WriteBufferWaterMark {
        .init(low: max(writeBufferHighWaterMark / 4, 1), high: max(writeBufferHighWaterMark, 2))
    }

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
