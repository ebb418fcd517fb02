/// Reads protobuf fields from a contiguous buffer, checking every length and limit.
///
/// Messages drive it from `decodeField`: each typed read checks the tag's wire type, so a known
/// field with an impossible wire type is an error rather than a silent misread. Repeated scalars
/// accept both the packed and the unpacked form.
public struct ProtoReader {
    @usableFromInline
    let bytes: UnsafeRawBufferPointer
    /// Where the next read starts.
    @usableFromInline
    var offset: Int

    /// Where the next read starts, as a byte offset in the decoded buffer.
    public var position: Int { offset }
    /// The end of the message being decoded (nested messages narrow it).
    @usableFromInline
    var end: Int
    @usableFromInline
    var depth = 0
    @usableFromInline
    let maxDepth: Int

    @inlinable
    init(bytes: UnsafeRawBufferPointer, limits: ProtoDecodingLimits) {
        self.bytes = bytes
        self.offset = 0
        self.end = bytes.count
        self.maxDepth = limits.maxDepth
    }

    @inlinable
    func error(_ reason: ProtoDecodingError.Reason, at offset: Int? = nil) -> ProtoDecodingError {
        ProtoDecodingError(reason, offset: offset ?? self.offset)
    }

    // MARK: - Primitives

    /// The next tag, or nil at the end of the current message.
    @inlinable
    public mutating func nextTag() throws(ProtoDecodingError) -> ProtoTag? {
        guard offset < end else { return nil }
        let start = offset
        let key = try readVarint()
        let fieldNumber = key >> 3
        guard fieldNumber >= 1, fieldNumber <= 536_870_911 else {
            throw error(.invalidFieldNumber(fieldNumber), at: start)
        }
        guard let wireType = ProtoWireType(rawValue: UInt8(key & 7)) else {
            throw error(.invalidWireType(UInt8(key & 7)), at: start)
        }
        if wireType == .endGroup { throw error(.unmatchedGroup, at: start) }
        return ProtoTag(fieldNumber: Int(fieldNumber), wireType: wireType, offset: start)
    }

    @inlinable
    mutating func readVarint() throws(ProtoDecodingError) -> UInt64 {
        let start = offset
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < end {
            let byte = bytes[offset]
            offset += 1
            if shift == 63 {
                // The tenth byte may only carry the 64th bit.
                guard byte <= 1 else { throw error(.malformedVarint, at: start) }
                return result | UInt64(byte) << 63
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        throw error(.truncated, at: start)
    }

    @inlinable
    mutating func readFixed32() throws(ProtoDecodingError) -> UInt32 {
        guard end - offset >= 4 else { throw error(.truncated) }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        offset += 4
        return UInt32(littleEndian: value)
    }

    @inlinable
    mutating func readFixed64() throws(ProtoDecodingError) -> UInt64 {
        guard end - offset >= 8 else { throw error(.truncated) }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
        return UInt64(littleEndian: value)
    }

    /// Reads a length prefix and returns the range of the bytes it covers, moving past them.
    @inlinable
    mutating func readLengthDelimited() throws(ProtoDecodingError) -> Range<Int> {
        let start = offset
        let length = try readVarint()
        guard length <= UInt64(end - offset) else { throw error(.lengthOutOfBounds(Int(clamping: length)), at: start) }
        let range = offset..<(offset + Int(length))
        offset = range.upperBound
        return range
    }

    @inlinable
    func expect(_ tag: ProtoTag, _ wireType: ProtoWireType) throws(ProtoDecodingError) {
        guard tag.wireType == wireType else {
            throw error(.wrongWireType(expected: wireType, actual: tag.wireType), at: tag.offset)
        }
    }

    // MARK: - Skipping unknown fields

    /// Moves past the value of an unknown field, whatever its wire type (groups included).
    @inlinable
    public mutating func skip(_ tag: ProtoTag) throws(ProtoDecodingError) {
        switch tag.wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup: try skipGroup(tag)
        case .endGroup: throw error(.unmatchedGroup, at: tag.offset)
        }
    }

    @usableFromInline
    mutating func skipGroup(_ start: ProtoTag) throws(ProtoDecodingError) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else { throw error(.tooDeep(limit: maxDepth), at: start.offset) }
        while offset < end {
            let tagStart = offset
            let key = try readVarint()
            let fieldNumber = key >> 3
            guard fieldNumber >= 1, fieldNumber <= 536_870_911 else {
                throw error(.invalidFieldNumber(fieldNumber), at: tagStart)
            }
            guard let wireType = ProtoWireType(rawValue: UInt8(key & 7)) else {
                throw error(.invalidWireType(UInt8(key & 7)), at: tagStart)
            }
            if wireType == .endGroup {
                guard Int(fieldNumber) == start.fieldNumber else { throw error(.unmatchedGroup, at: tagStart) }
                return
            }
            try skip(ProtoTag(fieldNumber: Int(fieldNumber), wireType: wireType, offset: tagStart))
        }
        throw error(.truncated)
    }

    // MARK: - Messages

    /// Decodes the fields of a message from `offset` up to the current `end`.
    @inlinable
    mutating func mergeFields<M: ProtoMessage>(into message: inout M) throws(ProtoDecodingError) {
        while let tag = try nextTag() {
            do {
                try message.decodeField(tag, from: &self)
            } catch {
                throw error.attributed(to: M.protoMessageName, field: tag.fieldNumber)
            }
        }
    }

    /// A singular message field; a second occurrence merges into the first, as protobuf requires.
    @inlinable
    public mutating func message<M: ProtoMessage>(_ tag: ProtoTag, into message: inout M?) throws(ProtoDecodingError) {
        var value = message ?? M()
        try readNested(tag, into: &value)
        message = value
    }

    @inlinable
    public mutating func repeatedMessage<M: ProtoMessage>(_ tag: ProtoTag, into values: inout [M])
        throws(ProtoDecodingError)
    {
        var value = M()
        try readNested(tag, into: &value)
        values.append(value)
    }

    @inlinable
    mutating func readNested<M: ProtoMessage>(_ tag: ProtoTag, into message: inout M) throws(ProtoDecodingError) {
        try expect(tag, .lengthDelimited)
        let range = try readLengthDelimited()
        depth += 1
        guard depth <= maxDepth else { throw error(.tooDeep(limit: maxDepth), at: tag.offset) }
        let outerEnd = end
        offset = range.lowerBound
        end = range.upperBound
        try mergeFields(into: &message)
        end = outerEnd
        depth -= 1
    }

    // MARK: - Scalars

    @inlinable
    public mutating func int32(_ tag: ProtoTag) throws(ProtoDecodingError) -> Int32 {
        try expect(tag, .varint)
        return Int32(truncatingIfNeeded: try readVarint())
    }

    @inlinable
    public mutating func int64(_ tag: ProtoTag) throws(ProtoDecodingError) -> Int64 {
        try expect(tag, .varint)
        return Int64(bitPattern: try readVarint())
    }

    @inlinable
    public mutating func uint32(_ tag: ProtoTag) throws(ProtoDecodingError) -> UInt32 {
        try expect(tag, .varint)
        return UInt32(truncatingIfNeeded: try readVarint())
    }

    @inlinable
    public mutating func uint64(_ tag: ProtoTag) throws(ProtoDecodingError) -> UInt64 {
        try expect(tag, .varint)
        return try readVarint()
    }

    @inlinable
    public mutating func sint32(_ tag: ProtoTag) throws(ProtoDecodingError) -> Int32 {
        try expect(tag, .varint)
        return Int32(truncatingIfNeeded: ProtoSize.unZigZag(UInt64(UInt32(truncatingIfNeeded: try readVarint()))))
    }

    @inlinable
    public mutating func sint64(_ tag: ProtoTag) throws(ProtoDecodingError) -> Int64 {
        try expect(tag, .varint)
        return ProtoSize.unZigZag(try readVarint())
    }

    @inlinable
    public mutating func bool(_ tag: ProtoTag) throws(ProtoDecodingError) -> Bool {
        try expect(tag, .varint)
        return try readVarint() != 0
    }

    /// An enum value; unknown numbers are kept, since proto3 enums are open.
    @inlinable
    public mutating func enumValue<E: ProtoEnum>(_ tag: ProtoTag) throws(ProtoDecodingError) -> E {
        E(rawValue: try int32(tag))
    }

    @inlinable
    public mutating func fixed32(_ tag: ProtoTag) throws(ProtoDecodingError) -> UInt32 {
        try expect(tag, .fixed32)
        return try readFixed32()
    }

    @inlinable
    public mutating func fixed64(_ tag: ProtoTag) throws(ProtoDecodingError) -> UInt64 {
        try expect(tag, .fixed64)
        return try readFixed64()
    }

    @inlinable
    public mutating func sfixed32(_ tag: ProtoTag) throws(ProtoDecodingError) -> Int32 {
        Int32(bitPattern: try fixed32(tag))
    }

    @inlinable
    public mutating func sfixed64(_ tag: ProtoTag) throws(ProtoDecodingError) -> Int64 {
        Int64(bitPattern: try fixed64(tag))
    }

    @inlinable
    public mutating func float(_ tag: ProtoTag) throws(ProtoDecodingError) -> Float {
        Float(bitPattern: try fixed32(tag))
    }

    @inlinable
    public mutating func double(_ tag: ProtoTag) throws(ProtoDecodingError) -> Double {
        Double(bitPattern: try fixed64(tag))
    }

    /// A `string`: its bytes must be valid UTF-8.
    @inlinable
    public mutating func string(_ tag: ProtoTag) throws(ProtoDecodingError) -> String {
        try expect(tag, .lengthDelimited)
        let start = offset
        let range = try readLengthDelimited()
        if range.isEmpty { return "" }
        let utf8 = UnsafeRawBufferPointer(rebasing: bytes[range]).assumingMemoryBound(to: UInt8.self)
        // Directory data is mostly ASCII: check that a word at a time and take String's fast path.
        // Anything else goes through the standard library's full validation.
        if Self.isASCII(UnsafeRawBufferPointer(utf8)) { return String(decoding: utf8, as: UTF8.self) }
        guard let string = String(validating: utf8, as: UTF8.self) else { throw error(.invalidUTF8, at: start) }
        return string
    }

    @inlinable
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    @inlinable
    public mutating func bytes(_ tag: ProtoTag) throws(ProtoDecodingError) -> [UInt8] {
        try expect(tag, .lengthDelimited)
        let range = try readLengthDelimited()
        return [UInt8](UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    // MARK: - Repeated scalars (packed or not)

    /// Appends one varint-typed value, or every value of a packed run.
    @inlinable
    public mutating func repeatedVarint<T>(
        _ tag: ProtoTag,
        into values: inout [T],
        _ convert: (UInt64) -> T
    ) throws(ProtoDecodingError) {
        switch tag.wireType {
        case .varint:
            values.append(convert(try readVarint()))
        case .lengthDelimited:
            let range = try readLengthDelimited()
            let outerEnd = end
            offset = range.lowerBound
            end = range.upperBound
            while offset < end { values.append(convert(try readVarint())) }
            end = outerEnd
        default:
            throw error(.wrongWireType(expected: .varint, actual: tag.wireType), at: tag.offset)
        }
    }

    /// Appends one four-byte value, or every value of a packed run.
    @inlinable
    public mutating func repeatedFixed32<T>(
        _ tag: ProtoTag,
        into values: inout [T],
        _ convert: (UInt32) -> T
    ) throws(ProtoDecodingError) {
        switch tag.wireType {
        case .fixed32:
            values.append(convert(try readFixed32()))
        case .lengthDelimited:
            let start = offset
            let range = try readLengthDelimited()
            guard range.count % 4 == 0 else { throw error(.malformedPacked, at: start) }
            values.reserveCapacity(values.count + range.count / 4)
            for position in stride(from: range.lowerBound, to: range.upperBound, by: 4) {
                values.append(
                    convert(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
                )
            }
        default:
            throw error(.wrongWireType(expected: .fixed32, actual: tag.wireType), at: tag.offset)
        }
    }

    /// Appends one eight-byte value, or every value of a packed run.
    @inlinable
    public mutating func repeatedFixed64<T>(
        _ tag: ProtoTag,
        into values: inout [T],
        _ convert: (UInt64) -> T
    ) throws(ProtoDecodingError) {
        switch tag.wireType {
        case .fixed64:
            values.append(convert(try readFixed64()))
        case .lengthDelimited:
            let start = offset
            let range = try readLengthDelimited()
            guard range.count % 8 == 0 else { throw error(.malformedPacked, at: start) }
            values.reserveCapacity(values.count + range.count / 8)
            for position in stride(from: range.lowerBound, to: range.upperBound, by: 8) {
                values.append(
                    convert(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)))
                )
            }
        default:
            throw error(.wrongWireType(expected: .fixed64, actual: tag.wireType), at: tag.offset)
        }
    }

    // MARK: - Maps

    /// One `map<string, string>` entry; a missing key or value is the empty string.
    @inlinable
    public mutating func mapEntry(_ tag: ProtoTag, into map: inout [String: String]) throws(ProtoDecodingError) {
        var key = ""
        var value = ""
        try readEntry(tag) { (reader, entryTag) throws(ProtoDecodingError) in
            switch entryTag.fieldNumber {
            case 1: key = try reader.string(entryTag)
            case 2: value = try reader.string(entryTag)
            default: try reader.skip(entryTag)
            }
        }
        map[key] = value
    }

    /// One `map<int32, string>` entry; a missing key is 0, a missing value the empty string.
    @inlinable
    public mutating func mapEntry(_ tag: ProtoTag, into map: inout [Int32: String]) throws(ProtoDecodingError) {
        var key: Int32 = 0
        var value = ""
        try readEntry(tag) { (reader, entryTag) throws(ProtoDecodingError) in
            switch entryTag.fieldNumber {
            case 1: key = try reader.int32(entryTag)
            case 2: value = try reader.string(entryTag)
            default: try reader.skip(entryTag)
            }
        }
        map[key] = value
    }

    @inlinable
    mutating func readEntry(
        _ tag: ProtoTag,
        _ field: (inout ProtoReader, ProtoTag) throws(ProtoDecodingError) -> Void
    ) throws(ProtoDecodingError) {
        try expect(tag, .lengthDelimited)
        let range = try readLengthDelimited()
        depth += 1
        guard depth <= maxDepth else { throw error(.tooDeep(limit: maxDepth), at: tag.offset) }
        let outerEnd = end
        offset = range.lowerBound
        end = range.upperBound
        while let entryTag = try nextTag() { try field(&self, entryTag) }
        end = outerEnd
        depth -= 1
    }
}
