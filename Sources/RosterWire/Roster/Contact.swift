/// The synced details of one directory user (`roster.v1.Contact`).
public struct Contact: ProtoMessage {
    public static let protoMessageName = "roster.v1.Contact"

    public var id = ""
    public var userPrincipalName = ""
    public var mail = ""
    public var displayName = ""
    public var givenName = ""
    public var surname = ""
    public var jobTitle = ""
    public var department = ""
    public var companyName = ""
    public var officeLocation = ""
    public var businessPhones: [String] = []
    public var mobilePhone = ""
    public var faxNumber = ""
    public var streetAddress = ""
    public var city = ""
    public var state = ""
    public var postalCode = ""
    public var country = ""
    /// extensionAttribute1 … 15 keyed by number; absent when the directory holds null.
    public var extensionAttributes: [Int32: String] = [:]
    /// When Roster last wrote a change to this contact.
    public var changedUnixMs: Int64 = 0
    /// The tenant's additional user properties (``TenantSettings/attributes``) by name; absent
    /// when the directory holds null or an empty list. Numbers and booleans as their JSON text, a
    /// list of strings as its items joined by a line feed.
    public var attributes: [String: String] = [:]
    /// The contact's local overrides, by field name; the fields above hold their effective values.
    public var overrides: [ContactOverride] = []
    /// The etag of the contact's profile photo (``GetContactPhotoResponse/etag``); empty without one.
    public var photoEtag = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, id)
        v.string(2, userPrincipalName)
        v.string(3, mail)
        v.string(4, displayName)
        v.string(5, givenName)
        v.string(6, surname)
        v.string(7, jobTitle)
        v.string(8, department)
        v.string(9, companyName)
        v.string(10, officeLocation)
        v.repeatedString(11, businessPhones)
        v.string(12, mobilePhone)
        v.string(13, faxNumber)
        v.string(14, streetAddress)
        v.string(15, city)
        v.string(16, state)
        v.string(17, postalCode)
        v.string(18, country)
        v.map(19, extensionAttributes)
        v.int64(20, changedUnixMs)
        v.map(21, attributes)
        v.string(22, photoEtag)
        v.repeatedMessage(23, overrides)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: id = try r.string(tag)
        case 2: userPrincipalName = try r.string(tag)
        case 3: mail = try r.string(tag)
        case 4: displayName = try r.string(tag)
        case 5: givenName = try r.string(tag)
        case 6: surname = try r.string(tag)
        case 7: jobTitle = try r.string(tag)
        case 8: department = try r.string(tag)
        case 9: companyName = try r.string(tag)
        case 10: officeLocation = try r.string(tag)
        case 11: businessPhones.append(try r.string(tag))
        case 12: mobilePhone = try r.string(tag)
        case 13: faxNumber = try r.string(tag)
        case 14: streetAddress = try r.string(tag)
        case 15: city = try r.string(tag)
        case 16: state = try r.string(tag)
        case 17: postalCode = try r.string(tag)
        case 18: country = try r.string(tag)
        case 19: try r.mapEntry(tag, into: &extensionAttributes)
        case 20: changedUnixMs = try r.int64(tag)
        case 21: try r.mapEntry(tag, into: &attributes)
        case 23: try r.repeatedMessage(tag, into: &overrides)
        case 22: photoEtag = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}
