/// A local override of one contact field (`roster.v1.ContactOverride`), set by an admin or editor.
public struct ContactOverride: ProtoMessage {
    public static let protoMessageName = "roster.v1.ContactOverride"

    /// The field as proto/roster.proto names it: `job_title`, `business_phones`,
    /// `extension_attributes.3`, `attributes.employeeId`.
    public var field = ""
    /// The value reads show (business phones one a line); empty when hidden.
    public var value = ""
    /// The field reads as empty.
    public var hidden = false
    /// The directory's value as of the last sync; filled only when the request asked for it.
    public var directoryValue = ""
    /// The label and id of the API key that set it: "<label> (<key id>)".
    public var setBy = ""
    /// When it was set.
    public var setUnixMs: Int64 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, field)
        v.string(2, value)
        v.bool(3, hidden)
        v.string(4, directoryValue)
        v.string(5, setBy)
        v.int64(6, setUnixMs)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: field = try r.string(tag)
        case 2: value = try r.string(tag)
        case 3: hidden = try r.bool(tag)
        case 4: directoryValue = try r.string(tag)
        case 5: setBy = try r.string(tag)
        case 6: setUnixMs = try r.int64(tag)
        default: try r.skip(tag)
        }
    }
}
