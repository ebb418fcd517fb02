public import RosterWire

/// A message of any type held as its fields' wire values, in the order they came: what
/// `roster call` sends and receives through the ordinary client, with ``JSONTranscoder`` turning
/// it into JSON and back by the server's descriptors. Groups (proto2 only) are dropped.
public struct WireMessage: ProtoMessage {
    public static let protoMessageName = "(a message read by its descriptor)"

    /// One field's value as the wire carries it.
    public enum Value: Sendable, Hashable {
        case varint(UInt64)
        case fixed64(UInt64)
        case lengthDelimited([UInt8])
        case fixed32(UInt32)
    }

    /// One occurrence of a field.
    public struct Field: Sendable, Hashable {
        public var number: Int
        public var value: Value

        public init(number: Int, value: Value) {
            self.number = number
            self.value = value
        }
    }

    public var fields: [Field] = []

    public init() {}

    public init(fields: [Field]) { self.fields = fields }

    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        for field in fields {
            switch field.value {
            case .varint(let value):
                v.writeTag(field.number, .varint)
                v.writeVarint(value)
            case .fixed64(let value):
                v.writeTag(field.number, .fixed64)
                v.writeFixed64(value)
            case .lengthDelimited(let bytes):
                v.writeTag(field.number, .lengthDelimited)
                bytes.withUnsafeBytes { v.writeLengthDelimited($0) }
            case .fixed32(let value):
                v.writeTag(field.number, .fixed32)
                v.writeFixed32(value)
            }
        }
    }

    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        let value: Value
        switch tag.wireType {
        case .varint: value = .varint(try r.uint64(tag))
        case .fixed64: value = .fixed64(try r.fixed64(tag))
        case .lengthDelimited: value = .lengthDelimited(try r.bytes(tag))
        case .fixed32: value = .fixed32(try r.fixed32(tag))
        case .startGroup, .endGroup:
            try r.skip(tag)
            return
        }
        fields.append(Field(number: tag.fieldNumber, value: value))
    }
}
