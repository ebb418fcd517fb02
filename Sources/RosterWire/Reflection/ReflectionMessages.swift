/// The question of the reflection call (`roster.reflection.v1.GetFileDescriptorSetRequest`): it has no fields.
public struct GetFileDescriptorSetRequest: ProtoMessage {
    public static let protoMessageName = "roster.reflection.v1.GetFileDescriptorSetRequest"

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {}

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        try r.skip(tag)
    }
}

/// The server's schema (`roster.reflection.v1.GetFileDescriptorSetResponse`): wire-identical to
/// `google.protobuf.FileDescriptorSet`.
public struct GetFileDescriptorSetResponse: ProtoMessage {
    public static let protoMessageName = "roster.reflection.v1.GetFileDescriptorSetResponse"

    /// One serialized `google.protobuf.FileDescriptorProto` per file, imports first.
    public var file: [[UInt8]] = []

    public init() {}

    public init(file: [[UInt8]]) { self.file = file }

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.repeatedBytes(1, file)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: file.append(try r.bytes(tag))
        default: try r.skip(tag)
        }
    }
}

/// The call of `roster.reflection.v1.Reflection` (proto/reflection.proto), declared once.
public enum ReflectionMethods {
    /// The service's fully qualified name.
    public static let service = "roster.reflection.v1.Reflection"

    public static let getFileDescriptorSet = UnaryMethod<GetFileDescriptorSetRequest, GetFileDescriptorSetResponse>(
        service: service,
        name: "GetFileDescriptorSet"
    )

    /// Every call of the service, in proto/reflection.proto's order.
    public static let all: [any RPCMethodDescriptor] = [getFileDescriptorSet]
}
