/// One line of a dry-run plan (`roster.v1.PlanEntry`).
public struct PlanEntry: ProtoMessage {
    public static let protoMessageName = "roster.v1.PlanEntry"

    public var action = PlanAction.unspecified
    public var contactID = ""
    public var displayName = ""
    public var mail = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.enumValue(1, action)
        v.string(2, contactID)
        v.string(3, displayName)
        v.string(4, mail)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: action = try r.enumValue(tag)
        case 2: contactID = try r.string(tag)
        case 3: displayName = try r.string(tag)
        case 4: mail = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// What a sync would do, computed without writing (`roster.v1.DryRunPlan`).
public struct DryRunPlan: ProtoMessage {
    public static let protoMessageName = "roster.v1.DryRunPlan"

    public var toAdd: Int64 = 0
    public var toUpdate: Int64 = 0
    public var toRemove: Int64 = 0
    public var unchanged: Int64 = 0
    /// Up to 20 entries of each action.
    public var sample: [PlanEntry] = []

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.int64(1, toAdd)
        v.int64(2, toUpdate)
        v.int64(3, toRemove)
        v.int64(4, unchanged)
        v.repeatedMessage(5, sample)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: toAdd = try r.int64(tag)
        case 2: toUpdate = try r.int64(tag)
        case 3: toRemove = try r.int64(tag)
        case 4: unchanged = try r.int64(tag)
        case 5: try r.repeatedMessage(tag, into: &sample)
        default: try r.skip(tag)
        }
    }
}
