/// Looks up one contact (`roster.v1.GetContactRequest`).
public struct GetContactRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.GetContactRequest"

    /// The `oneof lookup` of the schema: what to look the contact up by.
    public enum Lookup: Sendable, Hashable {
        case id(String)
        case mail(String)
        case userPrincipalName(String)
    }

    public var lookup: Lookup?
    /// Fill each override's ``ContactOverride/directoryValue``.
    public var includeDirectoryValues = false

    public init() {}

    public init(lookup: Lookup, includeDirectoryValues: Bool = false) {
        self.lookup = lookup
        self.includeDirectoryValues = includeDirectoryValues
    }

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        // A oneof member is written whenever it is the one set, even when empty.
        switch lookup {
        case .id(let value): v.string(1, Optional(value))
        case .mail(let value): v.string(2, Optional(value))
        case .userPrincipalName(let value): v.string(3, Optional(value))
        case nil: break
        }
        v.bool(4, includeDirectoryValues)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: lookup = .id(try r.string(tag))
        case 2: lookup = .mail(try r.string(tag))
        case 3: lookup = .userPrincipalName(try r.string(tag))
        case 4: includeDirectoryValues = try r.bool(tag)
        default: try r.skip(tag)
        }
    }
}

/// The contact found (`roster.v1.GetContactResponse`).
public struct GetContactResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.GetContactResponse"

    public var contact: Contact?

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.message(1, contact)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: try r.message(tag, into: &contact)
        default: try r.skip(tag)
        }
    }
}
