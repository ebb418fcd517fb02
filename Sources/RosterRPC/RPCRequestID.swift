/// The request id of a call, so that one call can be followed across client and server logs.
///
/// A client may send one as the metadata `x-request-id`: at most 128 visible ASCII characters
/// (`!` to `~`, no spaces). The server uses a valid one as it is, ignores any other, and makes up
/// one when there is none (16 random lower-case hex digits). The server logs every line about the
/// call with it (``RPCLogKey/requestID``), hands it to the handler (``RPCServerContext/requestID``)
/// and returns it as `x-request-id` in the TRAILERS metadata of every call that ends with a status
/// other than OK.
public enum RPCRequestID {
    /// The metadata key, in CallHeaders and in the TRAILERS of a failed call.
    public static let metadataKey = "x-request-id"
    /// The most characters a client's request id may have.
    public static let maxLength = 128

    /// Whether the server uses `value` as a call's request id: 1–128 visible ASCII characters.
    public static func isValid(_ value: String) -> Bool {
        !value.utf8.isEmpty && value.utf8.count <= maxLength && value.utf8.allSatisfy { (0x21...0x7E).contains($0) }
    }

    /// The request id of a call with `metadata`: the client's when valid, else a new one.
    package static func forCall(metadata: [String: String]) -> String {
        if let sent = metadata[metadataKey], isValid(sent) { return sent }
        return generate()
    }

    /// 16 random lower-case hex digits.
    package static func generate() -> String {
        let hex = String(UInt64.random(in: .min ... .max), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension RPCError {
    /// The request id the server returned with this status (its `x-request-id` metadata), to quote
    /// when asking the server's operator about the call.
    public var requestID: String? { metadata[RPCRequestID.metadataKey] }
}
