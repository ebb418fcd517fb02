/// A ``ProtoVisitor`` that only adds up how many bytes the fields would take.
public struct ProtoSizeCounter: ProtoVisitor {
    /// Bytes counted so far.
    public var size: Int { total }
    @usableFromInline
    var total = 0

    @inlinable
    public init() {}

    @inlinable
    public mutating func writeVarint(_ value: UInt64) { total += ProtoSize.varint(value) }

    @inlinable
    public mutating func writeFixed32(_ value: UInt32) { total += 4 }

    @inlinable
    public mutating func writeFixed64(_ value: UInt64) { total += 8 }

    @inlinable
    public mutating func writeLengthDelimited(_ bytes: UnsafeRawBufferPointer) {
        total += ProtoSize.lengthDelimited(bytes.count)
    }

    @inlinable
    public mutating func writeLengthDelimited(_ string: String) {
        total += ProtoSize.lengthDelimited(string.utf8.count)
    }

    @inlinable
    public mutating func writeLengthDelimited<M: ProtoMessage>(_ message: M) {
        total += ProtoSize.lengthDelimited(message.encodedSize)
    }
}
