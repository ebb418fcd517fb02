/// One change of the tenant's contacts, numbered in commit order (`roster.v1.ContactChange`).
public struct ContactChange: ProtoMessage {
    public static let protoMessageName = "roster.v1.ContactChange"

    /// The change's number (1, 2, 3 … per tenant, without gaps): pass it as `after` to resume.
    public var cursor: Int64 = 0
    public var kind = ChangeKind.unspecified
    public var source = ChangeSource.unspecified
    public var contactID = ""
    /// The contact as it is when read; nil when it has been removed (by this change or a later one).
    public var contact: Contact?
    public var changedUnixMs: Int64 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.int64(1, cursor)
        v.enumValue(2, kind)
        v.enumValue(3, source)
        v.string(4, contactID)
        v.message(5, contact)
        v.int64(6, changedUnixMs)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: cursor = try r.int64(tag)
        case 2: kind = try r.enumValue(tag)
        case 3: source = try r.enumValue(tag)
        case 4: contactID = try r.string(tag)
        case 5: try r.message(tag, into: &contact)
        case 6: changedUnixMs = try r.int64(tag)
        default: try r.skip(tag)
        }
    }
}

/// A page of the change feed (`roster.v1.ListContactChangesRequest`).
public struct ListContactChangesRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.ListContactChangesRequest"

    /// The cursor of the last change consumed; 0 for the start.
    public var after: Int64 = 0
    /// Default 100, at most 1000.
    public var pageSize: Int32 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.int64(1, after)
        v.int32(2, pageSize)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: after = try r.int64(tag)
        case 2: pageSize = try r.int32(tag)
        default: try r.skip(tag)
        }
    }
}

/// One page of the change feed (`roster.v1.ListContactChangesResponse`).
public struct ListContactChangesResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.ListContactChangesResponse"

    public var changes: [ContactChange] = []
    /// The cursor to pass next: the last change's, or `after` when there was none.
    public var nextCursor: Int64 = 0
    /// More changes follow already.
    public var hasMore = false

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.repeatedMessage(1, changes)
        v.int64(2, nextCursor)
        v.bool(3, hasMore)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.repeatedMessage(tag, into: &changes)
        case 2: nextCursor = try r.int64(tag)
        case 3: hasMore = try r.bool(tag)
        default: try r.skip(tag)
        }
    }
}

/// Streams the change feed live (`roster.v1.WatchContactChangesRequest`).
public struct WatchContactChangesRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.WatchContactChangesRequest"

    /// The cursor of the last change consumed; 0 for the start.
    public var after: Int64 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.int64(1, after)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: after = try r.int64(tag)
        default: try r.skip(tag)
        }
    }
}
