/// The tenant's options (`roster.v1.TenantSettings`).
public struct TenantSettings: ProtoMessage {
    public static let protoMessageName = "roster.v1.TenantSettings"

    /// Automatic sync interval in minutes; 0 = off (the default).
    public var syncIntervalMinutes: UInt32 = 0
    /// A sync removing more contacts than this stops unless acknowledged.
    public var deletionThreshold: UInt32 = 0
    /// Sync disabled accounts too.
    public var includeDisabledAccounts = false

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.uint32(1, syncIntervalMinutes)
        v.uint32(2, deletionThreshold)
        v.bool(3, includeDisabledAccounts)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: syncIntervalMinutes = try r.uint32(tag)
        case 2: deletionThreshold = try r.uint32(tag)
        case 3: includeDisabledAccounts = try r.bool(tag)
        default: try r.skip(tag)
        }
    }
}
