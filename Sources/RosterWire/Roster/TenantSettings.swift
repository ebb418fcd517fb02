/// The tenant's options (`roster.v1.TenantSettings`).
public struct TenantSettings: ProtoMessage {
    public static let protoMessageName = "roster.v1.TenantSettings"

    /// Automatic sync interval in minutes; 0 = off (the default).
    public var syncIntervalMinutes: UInt32 = 0
    /// A sync removing more contacts than this stops unless acknowledged.
    public var deletionThreshold: UInt32 = 0
    /// Sync disabled accounts too.
    public var includeDisabledAccounts = false
    /// Additional user properties synced into ``Contact/attributes``: Graph user properties the
    /// delta query tracks and directory schema extensions, in canonical case; at most 100.
    public var attributes: [String] = []
    /// Sync the users' profile photos (the server always fills it; on by default).
    public var syncPhotos = false

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.uint32(1, syncIntervalMinutes)
        v.uint32(2, deletionThreshold)
        v.bool(3, includeDisabledAccounts)
        v.repeatedString(4, attributes)
        v.bool(5, syncPhotos)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: syncIntervalMinutes = try r.uint32(tag)
        case 2: deletionThreshold = try r.uint32(tag)
        case 3: includeDisabledAccounts = try r.bool(tag)
        case 4: attributes.append(try r.string(tag))
        case 5: syncPhotos = try r.bool(tag)
        default: try r.skip(tag)
        }
    }
}

/// A whole list of additional user property names (`roster.v1.AttributeList`): in
/// ``UpdateSettingsRequest/attributes``, set (even empty) replaces the tenant's list.
public struct AttributeList: ProtoMessage {
    public static let protoMessageName = "roster.v1.AttributeList"

    /// Graph user property names and `extension_<app id>_<name>` schema extensions.
    public var names: [String] = []

    public init() {}

    /// A list of `names`.
    public init(_ names: [String]) {
        self.names = names
    }

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.repeatedString(1, names)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: names.append(try r.string(tag))
        default: try r.skip(tag)
        }
    }
}
