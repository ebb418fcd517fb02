/// A ``ProtoVisitor`` that writes protobuf bytes into memory sized beforehand by
/// ``ProtoSizeCounter``.
///
/// It never grows or checks capacity on its own: ``ProtoMessage/encode(into:)`` reserves exactly
/// `encodedSize` bytes and checks afterwards that exactly that many were written. That is what
/// lets each field be one or two direct stores, with no intermediate `Array` or `Data`.
public struct ProtoWriter: ProtoVisitor {
    @usableFromInline
    let base: UnsafeMutableRawPointer
    @usableFromInline
    let capacity: Int
    /// Bytes written so far.
    @usableFromInline
    var offset: Int

    /// Bytes written so far.
    public var written: Int { offset }

    @inlinable
    init(base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
        self.offset = 0
    }

    @inlinable
    public mutating func writeVarint(_ value: UInt64) {
        var value = value
        assert(offset + ProtoSize.varint(value) <= capacity, "encodedSize disagrees with traverse")
        while value >= 0x80 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: value) | 0x80, toByteOffset: offset, as: UInt8.self)
            offset += 1
            value >>= 7
        }
        base.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: offset, as: UInt8.self)
        offset += 1
    }

    @inlinable
    public mutating func writeFixed32(_ value: UInt32) {
        assert(offset + 4 <= capacity, "encodedSize disagrees with traverse")
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt32.self)
        offset += 4
    }

    @inlinable
    public mutating func writeFixed64(_ value: UInt64) {
        assert(offset + 8 <= capacity, "encodedSize disagrees with traverse")
        base.storeBytes(of: value.littleEndian, toByteOffset: offset, as: UInt64.self)
        offset += 8
    }

    @inlinable
    public mutating func writeLengthDelimited(_ bytes: UnsafeRawBufferPointer) {
        writeVarint(UInt64(bytes.count))
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        assert(offset + bytes.count <= capacity, "encodedSize disagrees with traverse")
        (base + offset).copyMemory(from: source, byteCount: bytes.count)
        offset += bytes.count
    }

    @inlinable
    public mutating func writeLengthDelimited(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in writeLengthDelimited(UnsafeRawBufferPointer(utf8)) }
    }

    @inlinable
    public mutating func writeLengthDelimited<M: ProtoMessage>(_ message: M) {
        writeVarint(UInt64(message.encodedSize))
        message.traverse(&self)
    }
}
