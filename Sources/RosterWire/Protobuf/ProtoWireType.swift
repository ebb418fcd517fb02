/// The low three bits of a protobuf tag: how the value after the tag is laid out.
public enum ProtoWireType: UInt8, Sendable, Hashable {
    /// A base-128 varint: int32, int64, uint32, uint64, sint32, sint64, bool, enum.
    case varint = 0
    /// Eight little-endian bytes: fixed64, sfixed64, double.
    case fixed64 = 1
    /// A varint length, then that many bytes: string, bytes, messages, packed repeated scalars.
    case lengthDelimited = 2
    /// The start of a proto2 group; only ever skipped here.
    case startGroup = 3
    /// The end of a proto2 group; only ever skipped here.
    case endGroup = 4
    /// Four little-endian bytes: fixed32, sfixed32, float.
    case fixed32 = 5
}

/// A decoded field key: the field number, its wire type and where it started.
public struct ProtoTag: Sendable, Hashable {
    /// The field number, 1 through 536,870,911.
    public var fieldNumber: Int
    /// How the value is laid out.
    public var wireType: ProtoWireType
    /// The byte offset of the tag in the outermost buffer, for error messages.
    public var offset: Int

    @inlinable
    public init(fieldNumber: Int, wireType: ProtoWireType, offset: Int) {
        self.fieldNumber = fieldNumber
        self.wireType = wireType
        self.offset = offset
    }
}

/// Protobuf's size and encoding arithmetic, shared by the writer, the size counter and messages.
public enum ProtoSize {
    /// Bytes a varint of `value` takes: 1 through 10.
    @inlinable
    public static func varint(_ value: UInt64) -> Int {
        // Each byte carries 7 bits; (bits + 6) / 7 with at least one byte.
        let bits = 64 - (value | 1).leadingZeroBitCount
        return (bits + 6) / 7
    }

    /// Bytes a length-delimited value of `length` bytes takes, prefix included.
    @inlinable
    public static func lengthDelimited(_ length: Int) -> Int {
        varint(UInt64(length)) + length
    }

    /// The varint value of a tag.
    @inlinable
    public static func tag(_ fieldNumber: Int, _ wireType: ProtoWireType) -> UInt64 {
        UInt64(fieldNumber) << 3 | UInt64(wireType.rawValue)
    }

    /// ZigZag encoding for sint32: small magnitudes of either sign become small varints.
    @inlinable
    public static func zigZag(_ value: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    /// ZigZag encoding for sint64.
    @inlinable
    public static func zigZag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }

    /// Undoes ``zigZag(_:)-(Int64)``.
    @inlinable
    public static func unZigZag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }
}
