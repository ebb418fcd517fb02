public import RosterWire

/// A service (`google.protobuf.ServiceDescriptorProto`).
public struct ServiceDescriptorProto: ProtoMessage {
    public static let protoMessageName = "google.protobuf.ServiceDescriptorProto"

    public var name = ""
    public var method: [MethodDescriptorProto] = []

    public init() {}

    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, name)
        v.repeatedMessage(2, method)
    }

    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: name = try r.string(tag)
        case 2: try r.repeatedMessage(tag, into: &method)
        default: try r.skip(tag)
        }
    }
}

/// One method of a service (`google.protobuf.MethodDescriptorProto`).
public struct MethodDescriptorProto: ProtoMessage {
    public static let protoMessageName = "google.protobuf.MethodDescriptorProto"

    public var name = ""
    /// The request type, fully qualified with a leading dot.
    public var inputType = ""
    /// The response type, fully qualified with a leading dot.
    public var outputType = ""
    public var clientStreaming = false
    public var serverStreaming = false

    public init() {}

    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, name)
        v.string(2, inputType)
        v.string(3, outputType)
        v.bool(5, clientStreaming)
        v.bool(6, serverStreaming)
    }

    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: name = try r.string(tag)
        case 2: inputType = try r.string(tag)
        case 3: outputType = try r.string(tag)
        case 5: clientStreaming = try r.bool(tag)
        case 6: serverStreaming = try r.bool(tag)
        default: try r.skip(tag)
        }
    }
}
