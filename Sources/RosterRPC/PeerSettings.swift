internal import RosterWire

/// The limits the peer announced in its SETTINGS, with PROTOCOL.md's defaults until it has.
struct PeerSettings: Sendable, Hashable {
    // PROTOCOL.md's defaults are the ones RPCConnectionLimits starts with.
    private static let defaults = RPCConnectionLimits.defaults

    /// Largest frame payload the peer accepts.
    var maxFrameSize = defaults.maxFrameSize
    /// Most streams the peer lets us open (only a server's value matters).
    var maxConcurrentStreams = defaults.maxConcurrentStreams
    /// Window the peer grants us on each new stream, in MESSAGE payload bytes.
    var initialWindowSize = defaults.initialWindowSize
    /// Largest HEADERS, TRAILERS or CANCEL payload the peer accepts.
    var maxHeaderSize = defaults.maxHeaderSize

    /// Applies a SETTINGS payload; a value outside its allowed range is a protocol error.
    mutating func apply(_ settings: RPCMessages.Settings) throws(ProtocolViolation) {
        if settings.maxFrameSize != 0 {
            guard (16_384...16_777_215).contains(settings.maxFrameSize) else {
                throw ProtocolViolation("SETTINGS max_frame_size of \(settings.maxFrameSize) is outside 16384…16777215")
            }
            maxFrameSize = Int(settings.maxFrameSize)
        }
        if settings.maxConcurrentStreams != 0 { maxConcurrentStreams = Int(settings.maxConcurrentStreams) }
        if settings.initialWindowSize != 0 {
            guard settings.initialWindowSize <= UInt32(Int32.max) else {
                throw ProtocolViolation(
                    "SETTINGS initial_window_size of \(settings.initialWindowSize) exceeds 2147483647"
                )
            }
            initialWindowSize = Int(settings.initialWindowSize)
        }
        if settings.maxHeaderSize != 0 { maxHeaderSize = Int(settings.maxHeaderSize) }
    }
}

/// A peer broke PROTOCOL.md in a way that ends the connection (GOAWAY 13 INTERNAL).
struct ProtocolViolation: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
