/// Sets a local override of one contact field (`roster.v1.SetContactOverrideRequest`).
public struct SetContactOverrideRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.SetContactOverrideRequest"

    /// The `oneof override` of the schema: the value reads show, or hidden (reads show it empty).
    public enum Override: Sendable, Hashable {
        case value(String)
        case hidden(Bool)
    }

    /// The contact's id.
    public var contactID = ""
    /// The field as proto/roster.proto names it (``ContactOverride/field``).
    public var field = ""
    /// What the field reads as; nil is refused by the server.
    public var `override`: Override?

    public init() {}

    /// A request to set `field` of contact `contactID` to `override`.
    public init(contactID: String, field: String, override: Override) {
        self.contactID = contactID
        self.field = field
        self.override = override
    }

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, contactID)
        v.string(2, field)
        // A oneof member is written whenever it is the one set, even when empty or false.
        switch `override` {
        case .value(let value): v.string(3, Optional(value))
        case .hidden(let hidden): v.bool(4, Optional(hidden))
        case nil: break
        }
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: contactID = try r.string(tag)
        case 2: field = try r.string(tag)
        case 3: `override` = .value(try r.string(tag))
        case 4: `override` = .hidden(try r.bool(tag))
        default: try r.skip(tag)
        }
    }
}

/// The contact after SetContactOverride (`roster.v1.SetContactOverrideResponse`).
public struct SetContactOverrideResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.SetContactOverrideResponse"

    /// The contact as reads now show it, with its overrides (directory values filled).
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

/// Removes a contact field's local override (`roster.v1.ClearContactOverrideRequest`).
public struct ClearContactOverrideRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.ClearContactOverrideRequest"

    /// The contact's id.
    public var contactID = ""
    /// The field as proto/roster.proto names it (``ContactOverride/field``).
    public var field = ""

    public init() {}

    /// A request to clear the override of `field` of contact `contactID`.
    public init(contactID: String, field: String) {
        self.contactID = contactID
        self.field = field
    }

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, contactID)
        v.string(2, field)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: contactID = try r.string(tag)
        case 2: field = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// The contact after ClearContactOverride (`roster.v1.ClearContactOverrideResponse`).
public struct ClearContactOverrideResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.ClearContactOverrideResponse"

    /// The contact as reads now show it, with its remaining overrides (directory values filled).
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
