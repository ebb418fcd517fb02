import RosterRPC

// The transport's limits and clocks, from the command line over the configuration file's `limits`.
extension Serve {
    /// Sets each limit given on the command line or in the file (the command line wins), checked.
    func resolveRPCLimits(_ rpc: inout RPCServerLimits, file limits: ConfigurationFile.Limits?) throws {
        if let value = maxConnections ?? limits?.maxConnections {
            rpc.maxConnections = try Self.positive(value, "max connections")
        }
        if let value = maxConcurrentStreams ?? limits?.maxConcurrentStreams {
            rpc.connection.maxConcurrentStreams = try Self.positive(value, "max concurrent streams")
        }
        if let value = handshakeTimeout ?? limits?.handshakeTimeoutSeconds {
            rpc.handshakeTimeout = try Self.positiveSeconds(value, "handshake timeout")
        }
        if let value = idleTimeout ?? limits?.idleTimeoutSeconds {
            rpc.idleTimeout = try Self.positiveSeconds(value, "idle timeout")
        }
        if let value = requestTimeout ?? limits?.requestTimeoutSeconds {
            rpc.requestTimeout = try Self.positiveSeconds(value, "request timeout")
        }
        if let value = frameTimeout ?? limits?.frameTimeoutSeconds {
            rpc.frameTimeout = try Self.positiveSeconds(value, "frame timeout")
        }
        if let value = sendStallTimeout ?? limits?.sendStallTimeoutSeconds {
            rpc.sendStallTimeout = try Self.positiveSeconds(value, "send stall timeout")
        }
        if let value = maxConnectionAge ?? limits?.maxConnectionAgeSeconds {
            guard value >= 0 else {
                throw ConfigurationError("the maximum connection age must be 0 (no limit) or more seconds")
            }
            rpc.maxConnectionAge = value == 0 ? nil : .seconds(Int64(value))
        }
        if let value = maxQueuedBytes ?? limits?.maxQueuedBytes {
            guard value >= 64 * 1024 else { throw ConfigurationError("max queued bytes must be at least 65536") }
            rpc.connection.maxQueuedBytes = value
        }
        if let value = maxUnsentCalls ?? limits?.maxUnsentCalls {
            rpc.maxUnsentCalls = try Self.positive(value, "max unsent calls")
        }
        if let value = maxHalfOpenHeaderBytes ?? limits?.maxHalfOpenHeaderBytes {
            rpc.maxHalfOpenHeaderBytes = try Self.positive(value, "max half-open header bytes")
        }
        if let value = maxExecutingCalls ?? limits?.maxExecutingCalls {
            rpc.maxExecutingUnaryCalls = try Self.positive(value, "max executing calls")
        }
        if let value = maxBackgroundCalls ?? limits?.maxBackgroundCalls {
            rpc.maxBackgroundCalls = try Self.positive(value, "max background calls")
        }
        if let value = maxOpenCalls ?? limits?.maxOpenCalls {
            rpc.maxOpenCalls = try Self.positive(value, "max open calls")
        }
        if let value = maxHeldMetadataBytes ?? limits?.maxHeldMetadataBytes {
            rpc.maxHeldMetadataBytes = try Self.positive(value, "max held metadata bytes")
        }
        if let value = maxFrameBytes ?? limits?.maxFrameBytes {
            guard (16 * 1024...64 * 1024 * 1024).contains(value) else {
                throw ConfigurationError("max frame bytes must be between 16384 and 67108864")
            }
            rpc.connection.maxFrameSize = value
        }
        if let value = maxRequestBytes ?? limits?.maxRequestBytes {
            rpc.maxRequestSize = try Self.positive(value, "max request bytes")
        }
        if let value = gracePeriod ?? limits?.gracePeriodSeconds {
            guard value >= 0 else { throw ConfigurationError("the grace period must be 0 or more seconds") }
            rpc.gracePeriod = .seconds(value)
        }
    }
}
