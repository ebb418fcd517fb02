public import RosterWire

/// A message type (`google.protobuf.DescriptorProto`): its fields, nested types, oneofs, and
/// whether it is a map's entry.
public struct DescriptorProto: ProtoMessage {
    public static let protoMessageName = "google.protobuf.DescriptorProto"

    /// The short name, e.g. `Contact`.
    public var name = ""
    public var field: [FieldDescriptorProto] = []
    public var nestedType: [DescriptorProto] = []
    public var enumType: [EnumDescriptorProto] = []
    public var options: MessageOptions?
    public var oneofDecl: [OneofDescriptorProto] = []

    public init() {}

    /// True for the entry type protoc generates for a `map<K, V>` field.
    public var isMapEntry: Bool { options?.mapEntry ?? false }

    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, name)
        v.repeatedMessage(2, field)
        v.repeatedMessage(3, nestedType)
        v.repeatedMessage(4, enumType)
        v.message(7, options)
        v.repeatedMessage(8, oneofDecl)
    }

    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: name = try r.string(tag)
        case 2: try r.repeatedMessage(tag, into: &field)
        case 3: try r.repeatedMessage(tag, into: &nestedType)
        case 4: try r.repeatedMessage(tag, into: &enumType)
        case 7: try r.message(tag, into: &options)
        case 8: try r.repeatedMessage(tag, into: &oneofDecl)
        default: try r.skip(tag)
        }
    }
}

/// `google.protobuf.MessageOptions`: only `map_entry`.
public struct MessageOptions: ProtoMessage {
    public static let protoMessageName = "google.protobuf.MessageOptions"

    public var mapEntry: Bool?

    public init() {}

    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.bool(7, mapEntry)
    }

    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 7: mapEntry = try r.bool(tag)
        default: try r.skip(tag)
        }
    }
}

/// `google.protobuf.OneofDescriptorProto`: a oneof's name.
public struct OneofDescriptorProto: ProtoMessage {
    public static let protoMessageName = "google.protobuf.OneofDescriptorProto"

    public var name = ""

    public init() {}

    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, name)
    }

    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: name = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}
