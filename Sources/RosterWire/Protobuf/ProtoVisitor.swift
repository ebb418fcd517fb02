/// What a message's `traverse` writes its fields to.
///
/// Two visitors exist: ``ProtoSizeCounter`` adds up the encoded size and ``ProtoWriter`` writes
/// the bytes. Each message describes its fields once, in `traverse`, so size and bytes can never
/// disagree. The field helpers in the extension below apply proto3's rules: default values are
/// not emitted, `optional` and oneof fields are emitted whenever set, repeated scalars are packed,
/// map entries carry both key and value and are written in key order.
public protocol ProtoVisitor {
    /// Writes a varint.
    mutating func writeVarint(_ value: UInt64)
    /// Writes four little-endian bytes.
    mutating func writeFixed32(_ value: UInt32)
    /// Writes eight little-endian bytes.
    mutating func writeFixed64(_ value: UInt64)
    /// Writes a length prefix and the bytes.
    mutating func writeLengthDelimited(_ bytes: UnsafeRawBufferPointer)
    /// Writes a length prefix and the string's UTF-8 bytes.
    mutating func writeLengthDelimited(_ string: String)
    /// Writes a length prefix and the message's fields.
    mutating func writeLengthDelimited<M: ProtoMessage>(_ message: M)
}

// MARK: - Field helpers

extension ProtoVisitor {
    /// Writes a field key: the field number and wire type as one varint.
    @inlinable
    public mutating func writeTag(_ fieldNumber: Int, _ wireType: ProtoWireType) {
        writeVarint(ProtoSize.tag(fieldNumber, wireType))
    }

    // MARK: Singular scalars (skipped when default)

    /// An `int32` or enum value: negative numbers take ten bytes, as protobuf requires.
    @inlinable
    public mutating func int32(_ field: Int, _ value: Int32) {
        guard value != 0 else { return }
        writeTag(field, .varint)
        writeVarint(UInt64(bitPattern: Int64(value)))
    }

    @inlinable
    public mutating func int64(_ field: Int, _ value: Int64) {
        guard value != 0 else { return }
        writeTag(field, .varint)
        writeVarint(UInt64(bitPattern: value))
    }

    @inlinable
    public mutating func uint32(_ field: Int, _ value: UInt32) {
        guard value != 0 else { return }
        writeTag(field, .varint)
        writeVarint(UInt64(value))
    }

    @inlinable
    public mutating func uint64(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        writeTag(field, .varint)
        writeVarint(value)
    }

    @inlinable
    public mutating func sint32(_ field: Int, _ value: Int32) {
        guard value != 0 else { return }
        writeTag(field, .varint)
        writeVarint(ProtoSize.zigZag(value))
    }

    @inlinable
    public mutating func sint64(_ field: Int, _ value: Int64) {
        guard value != 0 else { return }
        writeTag(field, .varint)
        writeVarint(ProtoSize.zigZag(value))
    }

    @inlinable
    public mutating func bool(_ field: Int, _ value: Bool) {
        guard value else { return }
        writeTag(field, .varint)
        writeVarint(1)
    }

    @inlinable
    public mutating func enumValue<E: ProtoEnum>(_ field: Int, _ value: E) {
        int32(field, value.rawValue)
    }

    @inlinable
    public mutating func fixed32(_ field: Int, _ value: UInt32) {
        guard value != 0 else { return }
        writeTag(field, .fixed32)
        writeFixed32(value)
    }

    @inlinable
    public mutating func fixed64(_ field: Int, _ value: UInt64) {
        guard value != 0 else { return }
        writeTag(field, .fixed64)
        writeFixed64(value)
    }

    @inlinable
    public mutating func sfixed32(_ field: Int, _ value: Int32) {
        fixed32(field, UInt32(bitPattern: value))
    }

    @inlinable
    public mutating func sfixed64(_ field: Int, _ value: Int64) {
        fixed64(field, UInt64(bitPattern: value))
    }

    /// A `float`; -0.0 is not the default and is emitted, as protobuf does.
    @inlinable
    public mutating func float(_ field: Int, _ value: Float) {
        guard value.bitPattern != 0 else { return }
        writeTag(field, .fixed32)
        writeFixed32(value.bitPattern)
    }

    @inlinable
    public mutating func double(_ field: Int, _ value: Double) {
        guard value.bitPattern != 0 else { return }
        writeTag(field, .fixed64)
        writeFixed64(value.bitPattern)
    }

    @inlinable
    public mutating func string(_ field: Int, _ value: String) {
        guard !value.isEmpty else { return }
        writeTag(field, .lengthDelimited)
        writeLengthDelimited(value)
    }

    @inlinable
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        guard !value.isEmpty else { return }
        writeTag(field, .lengthDelimited)
        value.withUnsafeBytes { writeLengthDelimited($0) }
    }

    /// A singular message field: emitted whenever set, even when all its fields are default.
    @inlinable
    public mutating func message<M: ProtoMessage>(_ field: Int, _ value: M?) {
        guard let value else { return }
        writeTag(field, .lengthDelimited)
        writeLengthDelimited(value)
    }

    // MARK: Presence-tracked scalars (proto3 `optional`, oneof members): emitted whenever set

    @inlinable
    public mutating func int32(_ field: Int, _ value: Int32?) {
        guard let value else { return }
        writeTag(field, .varint)
        writeVarint(UInt64(bitPattern: Int64(value)))
    }

    @inlinable
    public mutating func uint32(_ field: Int, _ value: UInt32?) {
        guard let value else { return }
        writeTag(field, .varint)
        writeVarint(UInt64(value))
    }

    @inlinable
    public mutating func int64(_ field: Int, _ value: Int64?) {
        guard let value else { return }
        writeTag(field, .varint)
        writeVarint(UInt64(bitPattern: value))
    }

    @inlinable
    public mutating func bool(_ field: Int, _ value: Bool?) {
        guard let value else { return }
        writeTag(field, .varint)
        writeVarint(value ? 1 : 0)
    }

    @inlinable
    public mutating func string(_ field: Int, _ value: String?) {
        guard let value else { return }
        writeTag(field, .lengthDelimited)
        writeLengthDelimited(value)
    }

    // MARK: Repeated fields

    @inlinable
    public mutating func repeatedString(_ field: Int, _ values: [String]) {
        for value in values {
            writeTag(field, .lengthDelimited)
            writeLengthDelimited(value)
        }
    }

    @inlinable
    public mutating func repeatedBytes(_ field: Int, _ values: [[UInt8]]) {
        for value in values {
            writeTag(field, .lengthDelimited)
            value.withUnsafeBytes { writeLengthDelimited($0) }
        }
    }

    @inlinable
    public mutating func repeatedMessage<M: ProtoMessage>(_ field: Int, _ values: [M]) {
        for value in values {
            writeTag(field, .lengthDelimited)
            writeLengthDelimited(value)
        }
    }

    /// Packed varints (int32, int64, uint32, uint64, sint32, sint64, bool, enum), each value
    /// already turned into its varint form by `varint`.
    @inlinable
    public mutating func packedVarints<T>(_ field: Int, _ values: [T], _ varint: (T) -> UInt64) {
        guard !values.isEmpty else { return }
        var length = 0
        for value in values { length += ProtoSize.varint(varint(value)) }
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(length))
        for value in values { writeVarint(varint(value)) }
    }

    /// Packed four-byte values (fixed32, sfixed32, float), each given as its bit pattern.
    @inlinable
    public mutating func packedFixed32<T>(_ field: Int, _ values: [T], _ bits: (T) -> UInt32) {
        guard !values.isEmpty else { return }
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(values.count * 4))
        for value in values { writeFixed32(bits(value)) }
    }

    /// Packed eight-byte values (fixed64, sfixed64, double), each given as its bit pattern.
    @inlinable
    public mutating func packedFixed64<T>(_ field: Int, _ values: [T], _ bits: (T) -> UInt64) {
        guard !values.isEmpty else { return }
        writeTag(field, .lengthDelimited)
        writeVarint(UInt64(values.count * 8))
        for value in values { writeFixed64(bits(value)) }
    }

    // MARK: Maps (entries in key order, key and value always written)

    @inlinable
    public mutating func map(_ field: Int, _ map: [String: String]) {
        // By UTF-8 bytes, as protoc orders map keys, so encodings are deterministic and equal.
        for key in map.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let value = map[key]!
            writeTag(field, .lengthDelimited)
            let keySize = ProtoSize.lengthDelimited(key.utf8.count)
            let valueSize = ProtoSize.lengthDelimited(value.utf8.count)
            writeVarint(UInt64(2 + keySize + valueSize))
            writeTag(1, .lengthDelimited)
            writeLengthDelimited(key)
            writeTag(2, .lengthDelimited)
            writeLengthDelimited(value)
        }
    }

    @inlinable
    public mutating func map(_ field: Int, _ map: [Int32: String]) {
        for key in map.keys.sorted() {
            let value = map[key]!
            let keyVarint = UInt64(bitPattern: Int64(key))
            writeTag(field, .lengthDelimited)
            let valueSize = ProtoSize.lengthDelimited(value.utf8.count)
            writeVarint(UInt64(2 + ProtoSize.varint(keyVarint) + valueSize))
            writeTag(1, .varint)
            writeVarint(keyVarint)
            writeTag(2, .lengthDelimited)
            writeLengthDelimited(value)
        }
    }
}
