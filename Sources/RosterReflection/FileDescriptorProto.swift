public import RosterWire

/// One compiled .proto file (`google.protobuf.FileDescriptorProto`), the fields `roster describe`
/// and `roster call` need; others are skipped when decoding.
public struct FileDescriptorProto: ProtoMessage {
    public static let protoMessageName = "google.protobuf.FileDescriptorProto"

    /// The file's path, e.g. `roster.proto`.
    public var name = ""
    /// e.g. `roster.v1`.
    public var package = ""
    /// The files it imports.
    public var dependency: [String] = []
    public var messageType: [DescriptorProto] = []
    public var enumType: [EnumDescriptorProto] = []
    public var service: [ServiceDescriptorProto] = []
    /// `proto3`, or empty for proto2.
    public var syntax = ""

    public init() {}

    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, name)
        v.string(2, package)
        v.repeatedString(3, dependency)
        v.repeatedMessage(4, messageType)
        v.repeatedMessage(5, enumType)
        v.repeatedMessage(6, service)
        v.string(12, syntax)
    }

    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: name = try r.string(tag)
        case 2: package = try r.string(tag)
        case 3: dependency.append(try r.string(tag))
        case 4: try r.repeatedMessage(tag, into: &messageType)
        case 5: try r.repeatedMessage(tag, into: &enumType)
        case 6: try r.repeatedMessage(tag, into: &service)
        case 12: syntax = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}
