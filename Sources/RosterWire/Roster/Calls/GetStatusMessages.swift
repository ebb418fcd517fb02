/// Asks for the tenant's status (`roster.v1.GetStatusRequest`); it has no fields.
public struct GetStatusRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.GetStatusRequest"

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {}

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        try r.skip(tag)
    }
}

/// The tenant's state (`roster.v1.GetStatusResponse`).
public struct GetStatusResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.GetStatusResponse"

    public var tenantID = ""
    public var connectionState = ConnectionState.unspecified
    /// The directory's own error code behind CONSENT_REVOKED / CREDENTIALS_INVALID.
    public var connectionErrorCode = ""
    public var savedScope: SyncScope?
    public var activeJob: SyncJob?
    public var lastFinishedJob: SyncJob?
    public var contactCount: Int64 = 0
    public var settings: TenantSettings?
    /// When the next automatic sync runs; 0 when automatic sync is off.
    public var nextScheduledUnixMs: Int64 = 0
    public var groupsRefreshedUnixMs: Int64 = 0
    /// The role of the key that asked.
    public var callerRole = Role.unspecified
    /// With connection state CONSENT_REQUIRED: where a Global Administrator grants the consent.
    public var adminConsentURL = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, tenantID)
        v.enumValue(2, connectionState)
        v.string(3, connectionErrorCode)
        v.message(4, savedScope)
        v.message(5, activeJob)
        v.message(6, lastFinishedJob)
        v.int64(7, contactCount)
        v.message(8, settings)
        v.int64(9, nextScheduledUnixMs)
        v.int64(10, groupsRefreshedUnixMs)
        v.enumValue(11, callerRole)
        v.string(12, adminConsentURL)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: tenantID = try r.string(tag)
        case 2: connectionState = try r.enumValue(tag)
        case 3: connectionErrorCode = try r.string(tag)
        case 4: try r.message(tag, into: &savedScope)
        case 5: try r.message(tag, into: &activeJob)
        case 6: try r.message(tag, into: &lastFinishedJob)
        case 7: contactCount = try r.int64(tag)
        case 8: try r.message(tag, into: &settings)
        case 9: nextScheduledUnixMs = try r.int64(tag)
        case 10: groupsRefreshedUnixMs = try r.int64(tag)
        case 11: callerRole = try r.enumValue(tag)
        case 12: adminConsentURL = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}
