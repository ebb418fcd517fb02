/// Starts a sync (`roster.v1.StartSyncRequest`).
public struct StartSyncRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.StartSyncRequest"

    public var scope: SyncScope?
    /// Required when the sync would remove contacts because of a scope change to a group, or more
    /// contacts than the deletion threshold.
    public var acknowledgeRemovals = false
    /// Compute the plan and change nothing.
    public var dryRun = false
    /// Skip the delta query and fetch everyone.
    public var forceFull = false

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.message(1, scope)
        v.bool(2, acknowledgeRemovals)
        v.bool(3, dryRun)
        v.bool(4, forceFull)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.message(tag, into: &scope)
        case 2: acknowledgeRemovals = try r.bool(tag)
        case 3: dryRun = try r.bool(tag)
        case 4: forceFull = try r.bool(tag)
        default: try r.skip(tag)
        }
    }
}

/// The started (or already running) job (`roster.v1.StartSyncResponse`).
public struct StartSyncResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.StartSyncResponse"

    public var job: SyncJob?
    /// True when a job was already running: `job` is that job and nothing new was started.
    public var alreadyRunning = false
    /// Set for a dry run.
    public var plan: DryRunPlan?

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.message(1, job)
        v.bool(2, alreadyRunning)
        v.message(3, plan)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.message(tag, into: &job)
        case 2: alreadyRunning = try r.bool(tag)
        case 3: try r.message(tag, into: &plan)
        default: try r.skip(tag)
        }
    }
}
