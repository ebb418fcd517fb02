/// Graph credentials to verify and store (`roster.v1.ConnectDirectoryRequest`).
public struct ConnectDirectoryRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.ConnectDirectoryRequest"

    /// The Entra ID (directory) tenant id or verified domain.
    public var directoryTenantID = ""
    /// The application (client) id of the app registration.
    public var clientID = ""
    public var clientSecret = ""
    /// Defaults to https://login.microsoftonline.com when empty.
    public var authorityURL = ""
    /// Defaults to https://graph.microsoft.com when empty.
    public var graphBaseURL = ""
    /// The OAuth scope of the token; empty derives it from the Graph URL.
    public var tokenScope = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, directoryTenantID)
        v.string(2, clientID)
        v.string(3, clientSecret)
        v.string(4, authorityURL)
        v.string(5, graphBaseURL)
        v.string(6, tokenScope)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: directoryTenantID = try r.string(tag)
        case 2: clientID = try r.string(tag)
        case 3: clientSecret = try r.string(tag)
        case 4: authorityURL = try r.string(tag)
        case 5: graphBaseURL = try r.string(tag)
        case 6: tokenScope = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// The outcome of a successful ConnectDirectory (`roster.v1.ConnectDirectoryResponse`).
public struct ConnectDirectoryResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.ConnectDirectoryResponse"

    public var state = ConnectionState.unspecified
    /// The application permissions found in the token's roles claim.
    public var grantedPermissions: [String] = []
    /// Mail-enabled security groups now in the type-ahead cache.
    public var groupsCached: Int64 = 0
    /// With state CONSENT_REQUIRED: the directory's admin-consent page for the server's application.
    public var adminConsentURL = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.enumValue(1, state)
        v.repeatedString(2, grantedPermissions)
        v.int64(3, groupsCached)
        v.string(4, adminConsentURL)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: state = try r.enumValue(tag)
        case 2: grantedPermissions.append(try r.string(tag))
        case 3: groupsCached = try r.int64(tag)
        case 4: adminConsentURL = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}
