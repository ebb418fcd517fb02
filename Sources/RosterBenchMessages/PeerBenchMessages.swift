public import RosterWire

/// The messages of `proto/bench.proto` (package `peerbench`): the benchmark workload shared
/// with the grpc-swift peer, byte for byte. Not part of the shipped `RosterWire`: only the bench
/// tools and tests import this module.
public enum PeerBench {}

extension PeerBench {
    public struct ListGroupsRequest: ProtoMessage {
        public static let protoMessageName = "peerbench.ListGroupsRequest"

        public var query = ""
        public var limit: Int32 = 0
        public var kind = ""

        public init() {}

        @inlinable
        public func traverse<V: ProtoVisitor>(_ v: inout V) {
            v.string(1, query)
            v.int32(2, limit)
            v.string(3, kind)
        }

        @inlinable
        public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch tag.fieldNumber {
            case 1: query = try r.string(tag)
            case 2: limit = try r.int32(tag)
            case 3: kind = try r.string(tag)
            default: try r.skip(tag)
            }
        }
    }

    public struct Group: ProtoMessage {
        public static let protoMessageName = "peerbench.Group"

        public var id = ""
        public var displayName = ""
        public var mail = ""

        public init() {}

        @inlinable
        public func traverse<V: ProtoVisitor>(_ v: inout V) {
            v.string(1, id)
            v.string(2, displayName)
            v.string(3, mail)
        }

        @inlinable
        public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch tag.fieldNumber {
            case 1: id = try r.string(tag)
            case 2: displayName = try r.string(tag)
            case 3: mail = try r.string(tag)
            default: try r.skip(tag)
            }
        }
    }

    public struct ListGroupsResponse: ProtoMessage {
        public static let protoMessageName = "peerbench.ListGroupsResponse"

        public var groups: [Group] = []

        public init() {}

        @inlinable
        public func traverse<V: ProtoVisitor>(_ v: inout V) {
            v.repeatedMessage(1, groups)
        }

        @inlinable
        public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch tag.fieldNumber {
            case 1: try r.repeatedMessage(tag, into: &groups)
            default: try r.skip(tag)
            }
        }
    }

    public struct WatchProgressRequest: ProtoMessage {
        public static let protoMessageName = "peerbench.WatchProgressRequest"

        public var jobID: [UInt8] = []
        /// How many updates the server streams back.
        public var count: UInt32 = 0
        public var client = ""

        public init() {}

        @inlinable
        public func traverse<V: ProtoVisitor>(_ v: inout V) {
            v.bytes(1, jobID)
            v.fixed32(2, count)
            v.string(3, client)
        }

        @inlinable
        public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch tag.fieldNumber {
            case 1: jobID = try r.bytes(tag)
            case 2: count = try r.fixed32(tag)
            case 3: client = try r.string(tag)
            default: try r.skip(tag)
            }
        }
    }

    public struct ProgressUpdate: ProtoMessage {
        public static let protoMessageName = "peerbench.ProgressUpdate"

        public var jobID: [UInt8] = []
        public var percent: Float = 0
        public var stage = ""

        public init() {}

        @inlinable
        public func traverse<V: ProtoVisitor>(_ v: inout V) {
            v.bytes(1, jobID)
            v.float(2, percent)
            v.string(3, stage)
        }

        @inlinable
        public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
            switch tag.fieldNumber {
            case 1: jobID = try r.bytes(tag)
            case 2: percent = try r.float(tag)
            case 3: stage = try r.string(tag)
            default: try r.skip(tag)
            }
        }
    }
}
