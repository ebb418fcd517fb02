/// A type-ahead query among mail-enabled security groups (`roster.v1.ListGroupsRequest`).
public struct ListGroupsRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.ListGroupsRequest"

    /// What the user has typed so far; empty lists the first groups alphabetically.
    public var query = ""
    /// At most this many groups (default 10, at most 100).
    public var limit: Int32 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, query)
        v.int32(2, limit)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: query = try r.string(tag)
        case 2: limit = try r.int32(tag)
        default: try r.skip(tag)
        }
    }
}

/// The best matches first (`roster.v1.ListGroupsResponse`).
public struct ListGroupsResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.ListGroupsResponse"

    public var groups: [Group] = []
    /// When the cache answering this was last refreshed from the directory.
    public var refreshedUnixMs: Int64 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.repeatedMessage(1, groups)
        v.int64(2, refreshedUnixMs)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.repeatedMessage(tag, into: &groups)
        case 2: refreshedUnixMs = try r.int64(tag)
        default: try r.skip(tag)
        }
    }
}
