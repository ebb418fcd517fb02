public import RosterWire

/// One field of a message (`google.protobuf.FieldDescriptorProto`).
public struct FieldDescriptorProto: ProtoMessage {
    public static let protoMessageName = "google.protobuf.FieldDescriptorProto"

    /// `google.protobuf.FieldDescriptorProto.Type`.
    public struct FieldType: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let double = Self(rawValue: 1)
        public static let float = Self(rawValue: 2)
        public static let int64 = Self(rawValue: 3)
        public static let uint64 = Self(rawValue: 4)
        public static let int32 = Self(rawValue: 5)
        public static let fixed64 = Self(rawValue: 6)
        public static let fixed32 = Self(rawValue: 7)
        public static let bool = Self(rawValue: 8)
        public static let string = Self(rawValue: 9)
        public static let group = Self(rawValue: 10)
        public static let message = Self(rawValue: 11)
        public static let bytes = Self(rawValue: 12)
        public static let uint32 = Self(rawValue: 13)
        public static let `enum` = Self(rawValue: 14)
        public static let sfixed32 = Self(rawValue: 15)
        public static let sfixed64 = Self(rawValue: 16)
        public static let sint32 = Self(rawValue: 17)
        public static let sint64 = Self(rawValue: 18)

        public static let protoNames: [Int32: String] = [
            1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32", 8: "bool",
            9: "string", 10: "group", 11: "message", 12: "bytes", 13: "uint32", 14: "enum", 15: "sfixed32",
            16: "sfixed64", 17: "sint32", 18: "sint64",
        ]
    }

    /// `google.protobuf.FieldDescriptorProto.Label`.
    public struct Label: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let optional = Self(rawValue: 1)
        public static let required = Self(rawValue: 2)
        public static let repeated = Self(rawValue: 3)

        public static let protoNames: [Int32: String] = [1: "optional", 2: "required", 3: "repeated"]
    }

    /// The name in the .proto file, e.g. `display_name`.
    public var name = ""
    public var number: Int32 = 0
    public var label = Label.optional
    public var type = FieldType.string
    /// For message and enum fields: the fully qualified type with a leading dot, e.g. `.roster.v1.SyncScope`.
    public var typeName = ""
    /// The index in the message's `oneofDecl` of the oneof holding the field (proto3 `optional`
    /// fields sit in a synthetic one).
    public var oneofIndex: Int32?
    /// The proto3 JSON name protoc computed, e.g. `displayName`.
    public var jsonName = ""
    /// True for a proto3 `optional` field.
    public var proto3Optional = false

    public init() {}

    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, name)
        v.int32(3, number)
        v.enumValue(4, label)
        v.enumValue(5, type)
        v.string(6, typeName)
        v.int32(9, oneofIndex)
        v.string(10, jsonName)
        v.bool(17, proto3Optional)
    }

    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: name = try r.string(tag)
        case 3: number = try r.int32(tag)
        case 4: label = try r.enumValue(tag)
        case 5: type = try r.enumValue(tag)
        case 6: typeName = try r.string(tag)
        case 9: oneofIndex = try r.int32(tag)
        case 10: jsonName = try r.string(tag)
        case 17: proto3Optional = try r.bool(tag)
        default: try r.skip(tag)
        }
    }
}
