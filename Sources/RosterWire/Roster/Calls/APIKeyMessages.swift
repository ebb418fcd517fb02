/// An API key as stored, never its token (`roster.v1.ApiKey`).
public struct APIKey: ProtoMessage {
    public static let protoMessageName = "roster.v1.ApiKey"

    public var id = ""
    public var role = Role.unspecified
    public var label = ""
    public var createdUnixMs: Int64 = 0
    /// 0: never expires.
    public var expiresUnixMs: Int64 = 0
    /// 0: not revoked.
    public var revokedUnixMs: Int64 = 0
    /// 0: never used (to within a minute).
    public var lastUsedUnixMs: Int64 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, id)
        v.enumValue(2, role)
        v.string(3, label)
        v.int64(4, createdUnixMs)
        v.int64(5, expiresUnixMs)
        v.int64(6, revokedUnixMs)
        v.int64(7, lastUsedUnixMs)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: id = try r.string(tag)
        case 2: role = try r.enumValue(tag)
        case 3: label = try r.string(tag)
        case 4: createdUnixMs = try r.int64(tag)
        case 5: expiresUnixMs = try r.int64(tag)
        case 6: revokedUnixMs = try r.int64(tag)
        case 7: lastUsedUnixMs = try r.int64(tag)
        default: try r.skip(tag)
        }
    }
}

/// Mint a key of the caller's tenant (`roster.v1.CreateApiKeyRequest`).
public struct CreateAPIKeyRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.CreateApiKeyRequest"

    public var role = Role.unspecified
    /// A note for operators; at most 200 characters.
    public var label = ""
    /// 0: never expires; otherwise a time in the future.
    public var expiresUnixMs: Int64 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.enumValue(1, role)
        v.string(2, label)
        v.int64(3, expiresUnixMs)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: role = try r.enumValue(tag)
        case 2: label = try r.string(tag)
        case 3: expiresUnixMs = try r.int64(tag)
        default: try r.skip(tag)
        }
    }
}

/// The new key and its token, shown once (`roster.v1.CreateApiKeyResponse`).
public struct CreateAPIKeyResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.CreateApiKeyResponse"

    public var key: APIKey?
    /// The key itself: shown here once, stored only as a hash.
    public var token = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.message(1, key)
        v.string(2, token)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.message(tag, into: &key)
        case 2: token = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// The tenant's keys (`roster.v1.ListApiKeysRequest`): no fields.
public struct ListAPIKeysRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.ListApiKeysRequest"

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {}

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        try r.skip(tag)
    }
}

/// The tenant's keys, revoked and expired ones included (`roster.v1.ListApiKeysResponse`).
public struct ListAPIKeysResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.ListApiKeysResponse"

    public var keys: [APIKey] = []

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.repeatedMessage(1, keys)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.repeatedMessage(tag, into: &keys)
        default: try r.skip(tag)
        }
    }
}

/// Revoke one key (`roster.v1.RevokeApiKeyRequest`).
public struct RevokeAPIKeyRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.RevokeApiKeyRequest"

    public var id = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, id)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: id = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// The revoked key (`roster.v1.RevokeApiKeyResponse`).
public struct RevokeAPIKeyResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.RevokeApiKeyResponse"

    public var key: APIKey?

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.message(1, key)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.message(tag, into: &key)
        default: try r.skip(tag)
        }
    }
}
