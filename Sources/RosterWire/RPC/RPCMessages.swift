/// The messages of `proto/rpc.proto` (package `roster.rpc.v1`): the payloads of the protocol's
/// own frames. PROTOCOL.md says which frame carries which.
public enum RPCMessages {}

extension RPCMessages {
    /// Payload of a HEADERS frame: opens a call.
    public struct CallHeaders: ProtoMessage {
        public static let protoMessageName = "roster.rpc.v1.CallHeaders"

        /// e.g. "/roster.v1.Roster/StartSync".
        public var method = ""
        /// The deadline as a duration from receipt, in microseconds; 0 means none.
        public var timeoutMicros: UInt64 = 0
        /// Call metadata, e.g. "authorization" → "Bearer <key>".
        public var metadata: [String: String] = [:]

        public init() {}

        public init(method: String, timeoutMicros: UInt64 = 0, metadata: [String: String] = [:]) {
            self.method = method
            self.timeoutMicros = timeoutMicros
            self.metadata = metadata
        }

        @inlinable
        public func traverse<V: ProtoVisitor>(_ v: inout V) {
            v.string(1, method)
            v.uint64(2, timeoutMicros)
            v.map(3, metadata)
        }

        @inlinable
        public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch tag.fieldNumber {
            case 1: method = try r.string(tag)
            case 2: timeoutMicros = try r.uint64(tag)
            case 3: try r.mapEntry(tag, into: &metadata)
            default: try r.skip(tag)
            }
        }
    }

    /// Payload of a TRAILERS frame (ends a call) and, optionally, of a CANCEL frame.
    public struct Status: ProtoMessage {
        public static let protoMessageName = "roster.rpc.v1.Status"

        /// A gRPC status code (0 OK … 16 UNAUTHENTICATED).
        public var code: Int32 = 0
        /// What went wrong and what to do next.
        public var message = ""
        public var details: [StatusDetail] = []
        /// Trailing metadata.
        public var metadata: [String: String] = [:]

        public init() {}

        public init(code: Int32, message: String = "") {
            self.code = code
            self.message = message
        }

        @inlinable
        public func traverse<V: ProtoVisitor>(_ v: inout V) {
            v.int32(1, code)
            v.string(2, message)
            v.repeatedMessage(3, details)
            v.map(4, metadata)
        }

        @inlinable
        public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch tag.fieldNumber {
            case 1: code = try r.int32(tag)
            case 2: message = try r.string(tag)
            case 3: try r.repeatedMessage(tag, into: &details)
            case 4: try r.mapEntry(tag, into: &metadata)
            default: try r.skip(tag)
            }
        }
    }

    /// One typed detail of a ``Status``, shaped like `google.protobuf.Any`.
    public struct StatusDetail: ProtoMessage {
        public static let protoMessageName = "roster.rpc.v1.StatusDetail"

        /// e.g. "type.googleapis.com/roster.v1.DryRunPlan".
        public var typeURL = ""
        public var value: [UInt8] = []

        public init() {}

        @inlinable
        public func traverse<V: ProtoVisitor>(_ v: inout V) {
            v.string(1, typeURL)
            v.bytes(2, value)
        }

        @inlinable
        public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch tag.fieldNumber {
            case 1: typeURL = try r.string(tag)
            case 2: value = try r.bytes(tag)
            default: try r.skip(tag)
            }
        }
    }

    /// Payload of a SETTINGS frame; a field left at 0 keeps its default.
    public struct Settings: ProtoMessage {
        public static let protoMessageName = "roster.rpc.v1.Settings"

        /// Largest frame payload (and so message) the sender accepts. Default 4,194,304.
        public var maxFrameSize: UInt32 = 0
        /// Most calls the sender lets its peer have open at once. Default 4,096.
        public var maxConcurrentStreams: UInt32 = 0
        /// Window in MESSAGE payload bytes granted on each new stream. Default 262,144.
        public var initialWindowSize: UInt32 = 0
        /// Largest HEADERS or TRAILERS payload the sender accepts. Default 16,384.
        public var maxHeaderSize: UInt32 = 0

        public init() {}

        @inlinable
        public func traverse<V: ProtoVisitor>(_ v: inout V) {
            v.uint32(1, maxFrameSize)
            v.uint32(2, maxConcurrentStreams)
            v.uint32(3, initialWindowSize)
            v.uint32(4, maxHeaderSize)
        }

        @inlinable
        public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch tag.fieldNumber {
            case 1: maxFrameSize = try r.uint32(tag)
            case 2: maxConcurrentStreams = try r.uint32(tag)
            case 3: initialWindowSize = try r.uint32(tag)
            case 4: maxHeaderSize = try r.uint32(tag)
            default: try r.skip(tag)
            }
        }
    }

    /// Payload of a GOAWAY frame: no new calls on this connection.
    public struct GoAway: ProtoMessage {
        public static let protoMessageName = "roster.rpc.v1.GoAway"

        /// The highest stream id the sender processed or will process.
        public var lastStreamID: UInt32 = 0
        /// A gRPC status code for the calls that will not complete.
        public var code: Int32 = 0
        /// Why, in words.
        public var message = ""

        public init() {}

        public init(lastStreamID: UInt32, code: Int32, message: String) {
            self.lastStreamID = lastStreamID
            self.code = code
            self.message = message
        }

        @inlinable
        public func traverse<V: ProtoVisitor>(_ v: inout V) {
            v.uint32(1, lastStreamID)
            v.int32(2, code)
            v.string(3, message)
        }

        @inlinable
        public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch tag.fieldNumber {
            case 1: lastStreamID = try r.uint32(tag)
            case 2: code = try r.int32(tag)
            case 3: message = try r.string(tag)
            default: try r.skip(tag)
            }
        }
    }
}
