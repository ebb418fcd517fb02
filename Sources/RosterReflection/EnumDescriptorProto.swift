public import RosterWire

/// An enum type (`google.protobuf.EnumDescriptorProto`).
public struct EnumDescriptorProto: ProtoMessage {
    public static let protoMessageName = "google.protobuf.EnumDescriptorProto"

    public var name = ""
    public var value: [EnumValueDescriptorProto] = []

    public init() {}

    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, name)
        v.repeatedMessage(2, value)
    }

    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: name = try r.string(tag)
        case 2: try r.repeatedMessage(tag, into: &value)
        default: try r.skip(tag)
        }
    }
}

/// One value of an enum (`google.protobuf.EnumValueDescriptorProto`).
public struct EnumValueDescriptorProto: ProtoMessage {
    public static let protoMessageName = "google.protobuf.EnumValueDescriptorProto"

    public var name = ""
    public var number: Int32 = 0

    public init() {}

    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, name)
        v.int32(2, number)
    }

    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: name = try r.string(tag)
        case 2: number = try r.int32(tag)
        default: try r.skip(tag)
        }
    }
}
