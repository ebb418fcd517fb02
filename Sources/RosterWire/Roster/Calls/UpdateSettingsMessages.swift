/// Changes the tenant's options; unset fields keep their value (`roster.v1.UpdateSettingsRequest`).
public struct UpdateSettingsRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.UpdateSettingsRequest"

    /// Automatic sync interval in minutes; 0 turns automatic sync off.
    public var syncIntervalMinutes: UInt32?
    public var deletionThreshold: UInt32?
    public var includeDisabledAccounts: Bool?
    /// The scope automatic syncs re-run; nil keeps the saved scope.
    public var scheduledScope: SyncScope?
    /// Replaces the tenant's additional user properties (an empty list: none); nil keeps them.
    public var attributes: AttributeList?
    /// Sync the users' profile photos; nil keeps the setting.
    public var syncPhotos: Bool?

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.uint32(1, syncIntervalMinutes)
        v.uint32(2, deletionThreshold)
        v.bool(3, includeDisabledAccounts)
        v.message(4, scheduledScope)
        v.message(5, attributes)
        v.bool(6, syncPhotos)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: syncIntervalMinutes = try r.uint32(tag)
        case 2: deletionThreshold = try r.uint32(tag)
        case 3: includeDisabledAccounts = try r.bool(tag)
        case 4: try r.message(tag, into: &scheduledScope)
        case 5: try r.message(tag, into: &attributes)
        case 6: syncPhotos = try r.bool(tag)
        default: try r.skip(tag)
        }
    }
}

/// The options now in force (`roster.v1.UpdateSettingsResponse`).
public struct UpdateSettingsResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.UpdateSettingsResponse"

    public var settings: TenantSettings?
    public var nextScheduledUnixMs: Int64 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.message(1, settings)
        v.int64(2, nextScheduledUnixMs)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.message(tag, into: &settings)
        case 2: nextScheduledUnixMs = try r.int64(tag)
        default: try r.skip(tag)
        }
    }
}
