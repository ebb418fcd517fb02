/// A call's outcome other than OK: a gRPC status code and a message that says what to do next.
///
/// This is the error that travels on the wire (in TRAILERS); handlers throw it to choose the
/// status, and clients receive it. Any other error a handler throws becomes INTERNAL.
public struct RPCError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A gRPC status code. Codes are a struct so new ones can be added later.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The number on the wire.
        public let rawValue: Int32

        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let ok = Code(rawValue: 0)
        public static let cancelled = Code(rawValue: 1)
        public static let unknown = Code(rawValue: 2)
        public static let invalidArgument = Code(rawValue: 3)
        public static let deadlineExceeded = Code(rawValue: 4)
        public static let notFound = Code(rawValue: 5)
        public static let alreadyExists = Code(rawValue: 6)
        public static let permissionDenied = Code(rawValue: 7)
        public static let resourceExhausted = Code(rawValue: 8)
        public static let failedPrecondition = Code(rawValue: 9)
        public static let aborted = Code(rawValue: 10)
        public static let outOfRange = Code(rawValue: 11)
        public static let unimplemented = Code(rawValue: 12)
        public static let `internal` = Code(rawValue: 13)
        public static let unavailable = Code(rawValue: 14)
        public static let dataLoss = Code(rawValue: 15)
        public static let unauthenticated = Code(rawValue: 16)

        private static let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
            "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
            "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        ]

        /// The gRPC name, e.g. "FAILED_PRECONDITION".
        public var description: String {
            rawValue >= 0 && Int(rawValue) < Self.names.count ? Self.names[Int(rawValue)] : "CODE_\(rawValue)"
        }
    }

    public var code: Code
    /// What went wrong and what to do next.
    public var message: String
    /// Trailing metadata sent with the status.
    public var metadata: [String: String]

    /// Metadata key of a connection lost to TLS: the TLS error's code ("certificateVerificationFailed",
    /// "alpnMismatch", …), so callers need not read the message.
    package static let tlsErrorCodeKey = "roster-tls-error"
    /// True when the server never processed the call (it was refused by a GOAWAY or its
    /// connection was already unusable), so retrying it elsewhere is safe.
    public var wasNotProcessed = false

    public init(_ code: Code, _ message: String, metadata: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.metadata = metadata
    }

    public var description: String { "\(code): \(message)" }
}
