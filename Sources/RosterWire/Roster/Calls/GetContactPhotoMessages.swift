/// Asks for one contact's profile photo (`roster.v1.GetContactPhotoRequest`).
public struct GetContactPhotoRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.GetContactPhotoRequest"

    /// The contact, looked up as ``GetContactRequest`` does.
    public var lookup: GetContactRequest.Lookup?
    /// The etag of the photo the caller holds: when it is current, the answer is
    /// ``GetContactPhotoResponse/notModified`` without the bytes. Empty: always the bytes.
    public var ifNoneMatch = ""

    public init() {}

    public init(lookup: GetContactRequest.Lookup, ifNoneMatch: String = "") {
        self.lookup = lookup
        self.ifNoneMatch = ifNoneMatch
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
        v.string(4, ifNoneMatch)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: lookup = .id(try r.string(tag))
        case 2: lookup = .mail(try r.string(tag))
        case 3: lookup = .userPrincipalName(try r.string(tag))
        case 4: ifNoneMatch = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// A contact's profile photo, or "not modified" (`roster.v1.GetContactPhotoResponse`).
public struct GetContactPhotoResponse: ProtoMessage {
    public static let protoMessageName = "roster.v1.GetContactPhotoResponse"

    /// The image; empty when ``notModified``.
    public var photo: [UInt8] = []
    /// Its media type, e.g. `image/jpeg`; empty when ``notModified``.
    public var contentType = ""
    /// The photo's version (``Contact/photoEtag``): send it as ``GetContactPhotoRequest/ifNoneMatch``.
    public var etag = ""
    /// The caller's etag is the current one; no bytes were sent.
    public var notModified = false

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.bytes(1, photo)
        v.string(2, contentType)
        v.string(3, etag)
        v.bool(4, notModified)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: photo = try r.bytes(tag)
        case 2: contentType = try r.string(tag)
        case 3: etag = try r.string(tag)
        case 4: notModified = try r.bool(tag)
        default: try r.skip(tag)
        }
    }
}
