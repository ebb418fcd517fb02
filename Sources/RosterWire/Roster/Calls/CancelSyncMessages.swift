/// Stops a job (`roster.v1.CancelSyncRequest`).
public struct CancelSyncRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.CancelSyncRequest"

    /// Empty: the active job.
    public var jobID = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, jobID)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: jobID = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// The cancelled job (`roster.v1.CancelSyncResponse`).
public struct CancelSyncResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.CancelSyncResponse"

    public var job: SyncJob?

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.message(1, job)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.message(tag, into: &job)
        default: try r.skip(tag)
        }
    }
}
