/// Why a protobuf message could not be decoded, and exactly where.
///
/// The description names the message, the field and the byte offset, e.g.
/// `roster.v1.Contact field 3 (byte 17): string is not valid UTF-8`.
public struct ProtoDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was wrong with the bytes.
    public enum Reason: Hashable, Sendable {
        /// The input ended inside a value.
        case truncated
        /// A varint ran past ten bytes or past 64 bits.
        case malformedVarint
        /// A tag carried field number 0 or one above 536,870,911.
        case invalidFieldNumber(UInt64)
        /// A tag carried wire type 6 or 7.
        case invalidWireType(UInt8)
        /// A known field arrived with a wire type its declared type cannot have.
        case wrongWireType(expected: ProtoWireType, actual: ProtoWireType)
        /// A length ran past the end of the enclosing message.
        case lengthOutOfBounds(Int)
        /// A packed field's bytes did not hold a whole number of values.
        case malformedPacked
        /// A `string` field was not valid UTF-8.
        case invalidUTF8
        /// Messages (or groups) were nested deeper than the limit.
        case tooDeep(limit: Int)
        /// The message was larger than the limit.
        case tooLarge(size: Int, limit: Int)
        /// An end-group tag with no matching start, or a start with a different end.
        case unmatchedGroup
    }

    /// What was wrong.
    public var reason: Reason
    /// Byte offset in the decoded buffer where the problem was found.
    public var offset: Int
    /// The fully qualified name of the innermost message being decoded, e.g. `roster.v1.Contact`.
    public var messageName: String?
    /// The field being decoded when the problem was found.
    public var fieldNumber: Int?

    public init(_ reason: Reason, offset: Int, messageName: String? = nil, fieldNumber: Int? = nil) {
        self.reason = reason
        self.offset = offset
        self.messageName = messageName
        self.fieldNumber = fieldNumber
    }

    /// Adds the message and field to an error raised below them, keeping the innermost ones.
    @usableFromInline
    func attributed(to messageName: String, field: Int) -> ProtoDecodingError {
        guard self.messageName == nil else { return self }
        var copy = self
        copy.messageName = messageName
        copy.fieldNumber = field
        return copy
    }

    public var description: String {
        var place = messageName ?? "message"
        if let fieldNumber { place += " field \(fieldNumber)" }
        return "\(place) (byte \(offset)): \(reasonText)"
    }

    private var reasonText: String {
        switch reason {
        case .truncated: "the input ends inside a value"
        case .malformedVarint: "varint longer than 10 bytes or wider than 64 bits"
        case .invalidFieldNumber(let number): "field number \(number) is outside 1...536870911"
        case .invalidWireType(let type): "wire type \(type) does not exist"
        case .wrongWireType(let expected, let actual):
            "wire type \(actual.rawValue) (\(actual)) where the schema needs \(expected.rawValue) (\(expected))"
        case .lengthOutOfBounds(let length): "length \(length) runs past the end of the enclosing message"
        case .malformedPacked: "packed field does not hold a whole number of values"
        case .invalidUTF8: "string is not valid UTF-8"
        case .tooDeep(let limit): "messages nested deeper than \(limit) levels"
        case .tooLarge(let size, let limit): "message of \(size) bytes exceeds the limit of \(limit) bytes"
        case .unmatchedGroup: "group start and end tags do not match"
        }
    }
}

/// Limits applied while decoding untrusted bytes.
public struct ProtoDecodingLimits: Sendable, Hashable {
    /// The largest message accepted, in bytes. Default 4 MiB, the protocol's message limit.
    public var maxSize: Int
    /// How deeply messages (and skipped groups) may nest. Default 100, as in protobuf's C++ runtime.
    public var maxDepth: Int

    public init(maxSize: Int = 4 * 1024 * 1024, maxDepth: Int = 100) {
        self.maxSize = maxSize
        self.maxDepth = maxDepth
    }

    /// 4 MiB and 100 levels.
    public static let `default` = ProtoDecodingLimits()
}
