/// A page of contacts (`roster.v1.ListContactsRequest`).
public struct ListContactsRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.ListContactsRequest"

    /// Default 100, at most 1000.
    public var pageSize: Int32 = 0
    /// From the previous response's `nextPageToken`.
    public var pageToken = ""
    /// Case- and accent-insensitive prefix match on name, mail and userPrincipalName.
    public var search = ""
    /// Fill each override's ``ContactOverride/directoryValue``.
    public var includeDirectoryValues = false

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.int32(1, pageSize)
        v.string(2, pageToken)
        v.string(3, search)
        v.bool(4, includeDirectoryValues)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: pageSize = try r.int32(tag)
        case 2: pageToken = try r.string(tag)
        case 3: search = try r.string(tag)
        case 4: includeDirectoryValues = try r.bool(tag)
        default: try r.skip(tag)
        }
    }
}

/// One page of contacts (`roster.v1.ListContactsResponse`).
public struct ListContactsResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.ListContactsResponse"

    public var contacts: [Contact] = []
    /// Empty on the last page.
    public var nextPageToken = ""
    /// Contacts matching the request in all pages.
    public var total: Int64 = 0
    /// The tenant's newest change when this page was read; keep the first page's to follow the
    /// change feed after a full read.
    public var changeCursor: Int64 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.repeatedMessage(1, contacts)
        v.string(2, nextPageToken)
        v.int64(3, total)
        v.int64(4, changeCursor)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.repeatedMessage(tag, into: &contacts)
        case 2: nextPageToken = try r.string(tag)
        case 3: total = try r.int64(tag)
        case 4: changeCursor = try r.int64(tag)
        default: try r.skip(tag)
        }
    }
}
