/// What a sync covers (`roster.v1.SyncScope`).
public struct SyncScope: ProtoMessage {
    public static let protoMessageName = "roster.v1.SyncScope"

    public var kind = ScopeKind.unspecified
    /// For ``ScopeKind/group``: the group's directory object id.
    public var groupID = ""
    /// For ``ScopeKind/group``: filled in by the server for display.
    public var groupDisplayName = ""

    public init() {}

    /// Every member account.
    public static var allUsers: SyncScope {
        var scope = SyncScope()
        scope.kind = .allUsers
        return scope
    }

    /// The transitive user members of one mail-enabled security group.
    public static func group(id: String, displayName: String = "") -> SyncScope {
        var scope = SyncScope()
        scope.kind = .group
        scope.groupID = id
        scope.groupDisplayName = displayName
        return scope
    }

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.enumValue(1, kind)
        v.string(2, groupID)
        v.string(3, groupDisplayName)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: kind = try r.enumValue(tag)
        case 2: groupID = try r.string(tag)
        case 3: groupDisplayName = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// How far a job has come (`roster.v1.ProgressCounters`).
public struct ProgressCounters: ProtoMessage {
    public static let protoMessageName = "roster.v1.ProgressCounters"

    public var fetched: Int64 = 0
    /// Users expected in total; 0 while unknown.
    public var total: Int64 = 0
    public var added: Int64 = 0
    public var updated: Int64 = 0
    public var removed: Int64 = 0
    public var unchanged: Int64 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.int64(1, fetched)
        v.int64(2, total)
        v.int64(3, added)
        v.int64(4, updated)
        v.int64(5, removed)
        v.int64(6, unchanged)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: fetched = try r.int64(tag)
        case 2: total = try r.int64(tag)
        case 3: added = try r.int64(tag)
        case 4: updated = try r.int64(tag)
        case 5: removed = try r.int64(tag)
        case 6: unchanged = try r.int64(tag)
        default: try r.skip(tag)
        }
    }
}

/// The confirmation a finished job ends with (`roster.v1.ConfirmationSummary`).
public struct ConfirmationSummary: ProtoMessage {
    public static let protoMessageName = "roster.v1.ConfirmationSummary"

    /// Contacts held after the job.
    public var totalContacts: Int64 = 0
    public var added: Int64 = 0
    public var updated: Int64 = 0
    public var removed: Int64 = 0
    public var unchanged: Int64 = 0
    public var durationMs: Int64 = 0
    /// e.g. "Synchronized 1,204 contacts (12 added, 3 updated, 5 removed) in 2.3 s".
    public var text = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.int64(1, totalContacts)
        v.int64(2, added)
        v.int64(3, updated)
        v.int64(4, removed)
        v.int64(5, unchanged)
        v.int64(6, durationMs)
        v.string(7, text)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: totalContacts = try r.int64(tag)
        case 2: added = try r.int64(tag)
        case 3: updated = try r.int64(tag)
        case 4: removed = try r.int64(tag)
        case 5: unchanged = try r.int64(tag)
        case 6: durationMs = try r.int64(tag)
        case 7: text = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// One sync run (`roster.v1.SyncJob`).
public struct SyncJob: ProtoMessage {
    public static let protoMessageName = "roster.v1.SyncJob"

    public var id = ""
    public var scope: SyncScope?
    public var mode = SyncMode.unspecified
    public var state = JobState.unspecified
    public var phase = SyncPhase.unspecified
    public var trigger = SyncTrigger.unspecified
    /// The label of the API key that started it ("schedule" for automatic runs).
    public var startedBy = ""
    public var createdUnixMs: Int64 = 0
    public var startedUnixMs: Int64 = 0
    public var finishedUnixMs: Int64 = 0
    public var counters: ProgressCounters?
    /// A stable code for FAILED / INTERRUPTED jobs.
    public var errorCode = ""
    /// What went wrong and what to do next.
    public var errorMessage = ""
    /// Set once the job has finished.
    public var summary: ConfirmationSummary?
    public var acknowledgedRemovals = false
    /// Where the run departed from what was asked, and why ("running a full sync instead: …").
    public var note = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, id)
        v.message(2, scope)
        v.enumValue(3, mode)
        v.enumValue(4, state)
        v.enumValue(5, phase)
        v.enumValue(6, trigger)
        v.string(7, startedBy)
        v.int64(8, createdUnixMs)
        v.int64(9, startedUnixMs)
        v.int64(10, finishedUnixMs)
        v.message(11, counters)
        v.string(12, errorCode)
        v.string(13, errorMessage)
        v.message(14, summary)
        v.bool(15, acknowledgedRemovals)
        v.string(16, note)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: id = try r.string(tag)
        case 2: try r.message(tag, into: &scope)
        case 3: mode = try r.enumValue(tag)
        case 4: state = try r.enumValue(tag)
        case 5: phase = try r.enumValue(tag)
        case 6: trigger = try r.enumValue(tag)
        case 7: startedBy = try r.string(tag)
        case 8: createdUnixMs = try r.int64(tag)
        case 9: startedUnixMs = try r.int64(tag)
        case 10: finishedUnixMs = try r.int64(tag)
        case 11: try r.message(tag, into: &counters)
        case 12: errorCode = try r.string(tag)
        case 13: errorMessage = try r.string(tag)
        case 14: try r.message(tag, into: &summary)
        case 15: acknowledgedRemovals = try r.bool(tag)
        case 16: note = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}
