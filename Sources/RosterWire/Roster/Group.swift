/// A directory group as the type-ahead shows it (`roster.v1.Group`).
public struct Group: ProtoMessage {
    public static let protoMessageName = "roster.v1.Group"

    public var id = ""
    public var displayName = ""
    public var mail = ""
    public var kind = GroupKind.unspecified

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, id)
        v.string(2, displayName)
        v.string(3, mail)
        v.enumValue(4, kind)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: id = try r.string(tag)
        case 2: displayName = try r.string(tag)
        case 3: mail = try r.string(tag)
        case 4: kind = try r.enumValue(tag)
        default: try r.skip(tag)
        }
    }
}
