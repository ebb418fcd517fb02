public import Logging

/// The metadata keys the RPC layer logs under, so every line about a connection or a call can be
/// found by the same names (as postgres-nio's `PSQLConnection.LoggerMetadataKey`).
///
/// Levels: the default (info) stays quiet about single connections and calls; `debug` tells each
/// connection's life (opened, TLS or socket errors, GOAWAY sent and why, closed); `trace` adds
/// each call's start and end. Refused abuse is a rate-limited warning (``AbuseMonitor``).
public enum RPCLogKey: String, Sendable {
    /// The peer's address.
    case peer = "rpc.peer"
    /// A number for the connection, unique within the process.
    case connection = "rpc.connection"
    /// The call's stream id.
    case stream = "rpc.stream"
    /// The call's method path.
    case method = "rpc.method"
    /// A status or GOAWAY code, by name.
    case code = "rpc.code"
    /// Why a connection or call ended, in words.
    case reason = "rpc.reason"
    /// The error that ended a connection.
    case error = "rpc.error"
    /// The call's request id: the client's `x-request-id` metadata, or one the server made up
    /// (``RPCRequestID``). It comes back in the TRAILERS of a call that fails.
    case requestID = "rpc.request_id"
}

extension Logger {
    /// The metadata value under an RPC key.
    public subscript(rpc key: RPCLogKey) -> Logger.Metadata.Value? {
        get { self[metadataKey: key.rawValue] }
        set { self[metadataKey: key.rawValue] = newValue }
    }
}

extension Logger.Metadata {
    /// The metadata value under an RPC key.
    public subscript(rpc key: RPCLogKey) -> Logger.Metadata.Value? {
        get { self[key.rawValue] }
        set { self[key.rawValue] = newValue }
    }
}
