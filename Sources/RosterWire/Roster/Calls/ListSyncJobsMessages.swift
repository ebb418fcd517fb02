/// A page of the job history (`roster.v1.ListSyncJobsRequest`).
public struct ListSyncJobsRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.ListSyncJobsRequest"

    /// Default 20, at most 200.
    public var limit: Int32 = 0
    public var pageToken = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.int32(1, limit)
        v.string(2, pageToken)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: limit = try r.int32(tag)
        case 2: pageToken = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// Jobs, newest first (`roster.v1.ListSyncJobsResponse`).
public struct ListSyncJobsResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.ListSyncJobsResponse"

    public var jobs: [SyncJob] = []
    public var nextPageToken = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.repeatedMessage(1, jobs)
        v.string(2, nextPageToken)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.repeatedMessage(tag, into: &jobs)
        case 2: nextPageToken = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}
