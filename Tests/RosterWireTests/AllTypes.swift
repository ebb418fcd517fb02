import RosterWire

// The hand-written codec of wire_test.proto: one message with a field of every kind, so the
// tests cover every proto3 rule even where roster.proto does not use it.

struct Color: ProtoEnum {
    var rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }
    static let unspecified = Self(rawValue: 0)
    static let red = Self(rawValue: 1)
    static let green = Self(rawValue: 2)
    static let protoNames: [Int32: String] = [0: "COLOR_UNSPECIFIED", 1: "COLOR_RED", 2: "COLOR_GREEN"]
}

struct Nested: ProtoMessage {
    static let protoMessageName = "roster.test.v1.Nested"

    var value: Int32 = 0
    /// Boxed so the type can contain itself.
    var child: Nested? {
        get { childBox.first }
        set { childBox = newValue.map { [$0] } ?? [] }
    }
    private var childBox: [Nested] = []

    init() {}

    func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.int32(1, value)
        v.message(2, child)
    }

    mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: value = try r.int32(tag)
        case 2: try r.message(tag, into: &child)
        default: try r.skip(tag)
        }
    }
}

struct AllTypes: ProtoMessage {
    static let protoMessageName = "roster.test.v1.AllTypes"

    enum Choice: Hashable, Sendable {
        case string(String)
        case int64(Int64)
        case nested(Nested)
    }

    var fInt32: Int32 = 0
    var fInt64: Int64 = 0
    var fUInt32: UInt32 = 0
    var fUInt64: UInt64 = 0
    var fSInt32: Int32 = 0
    var fSInt64: Int64 = 0
    var fFixed32: UInt32 = 0
    var fFixed64: UInt64 = 0
    var fSFixed32: Int32 = 0
    var fSFixed64: Int64 = 0
    var fFloat: Float = 0
    var fDouble: Double = 0
    var fBool = false
    var fString = ""
    var fBytes: [UInt8] = []
    var fEnum = Color.unspecified
    var fNested: Nested?

    var rInt32: [Int32] = []
    var rSInt64: [Int64] = []
    var rFixed32: [UInt32] = []
    var rDouble: [Double] = []
    var rBool: [Bool] = []
    var rEnum: [Color] = []
    var rString: [String] = []
    var rBytes: [[UInt8]] = []
    var rNested: [Nested] = []
    var rInt32Unpacked: [Int32] = []
    var rFixed64Unpacked: [UInt64] = []

    var mString: [String: String] = [:]
    var mInt32: [Int32: String] = [:]

    var oInt32: Int32?
    var oString: String?
    var oBool: Bool?

    var choice: Choice?

    init() {}

    func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.int32(1, fInt32)
        v.int64(2, fInt64)
        v.uint32(3, fUInt32)
        v.uint64(4, fUInt64)
        v.sint32(5, fSInt32)
        v.sint64(6, fSInt64)
        v.fixed32(7, fFixed32)
        v.fixed64(8, fFixed64)
        v.sfixed32(9, fSFixed32)
        v.sfixed64(10, fSFixed64)
        v.float(11, fFloat)
        v.double(12, fDouble)
        v.bool(13, fBool)
        v.string(14, fString)
        v.bytes(15, fBytes)
        v.enumValue(16, fEnum)
        v.message(17, fNested)
        v.packedVarints(31, rInt32) { UInt64(bitPattern: Int64($0)) }
        v.packedVarints(32, rSInt64) { ProtoSize.zigZag($0) }
        v.packedFixed32(33, rFixed32) { $0 }
        v.packedFixed64(34, rDouble) { $0.bitPattern }
        v.packedVarints(35, rBool) { $0 ? 1 : 0 }
        v.packedVarints(36, rEnum) { UInt64(bitPattern: Int64($0.rawValue)) }
        v.repeatedString(37, rString)
        v.repeatedBytes(38, rBytes)
        v.repeatedMessage(39, rNested)
        for value in rInt32Unpacked { v.int32(40, Optional(value)) }
        for value in rFixed64Unpacked {
            v.writeTag(41, .fixed64)
            v.writeFixed64(value)
        }
        v.map(50, mString)
        v.map(51, mInt32)
        v.int32(60, oInt32)
        v.string(61, oString)
        v.bool(62, oBool)
        switch choice {
        case .string(let value): v.string(70, Optional(value))
        case .int64(let value): v.int64(71, Optional(value))
        case .nested(let value): v.message(72, value)
        case nil: break
        }
    }

    mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: fInt32 = try r.int32(tag)
        case 2: fInt64 = try r.int64(tag)
        case 3: fUInt32 = try r.uint32(tag)
        case 4: fUInt64 = try r.uint64(tag)
        case 5: fSInt32 = try r.sint32(tag)
        case 6: fSInt64 = try r.sint64(tag)
        case 7: fFixed32 = try r.fixed32(tag)
        case 8: fFixed64 = try r.fixed64(tag)
        case 9: fSFixed32 = try r.sfixed32(tag)
        case 10: fSFixed64 = try r.sfixed64(tag)
        case 11: fFloat = try r.float(tag)
        case 12: fDouble = try r.double(tag)
        case 13: fBool = try r.bool(tag)
        case 14: fString = try r.string(tag)
        case 15: fBytes = try r.bytes(tag)
        case 16: fEnum = try r.enumValue(tag)
        case 17: try r.message(tag, into: &fNested)
        case 31: try r.repeatedVarint(tag, into: &rInt32) { Int32(truncatingIfNeeded: $0) }
        case 32: try r.repeatedVarint(tag, into: &rSInt64) { ProtoSize.unZigZag($0) }
        case 33: try r.repeatedFixed32(tag, into: &rFixed32) { $0 }
        case 34: try r.repeatedFixed64(tag, into: &rDouble) { Double(bitPattern: $0) }
        case 35: try r.repeatedVarint(tag, into: &rBool) { $0 != 0 }
        case 36: try r.repeatedVarint(tag, into: &rEnum) { Color(rawValue: Int32(truncatingIfNeeded: $0)) }
        case 37: rString.append(try r.string(tag))
        case 38: rBytes.append(try r.bytes(tag))
        case 39: try r.repeatedMessage(tag, into: &rNested)
        case 40: try r.repeatedVarint(tag, into: &rInt32Unpacked) { Int32(truncatingIfNeeded: $0) }
        case 41: try r.repeatedFixed64(tag, into: &rFixed64Unpacked) { $0 }
        case 50: try r.mapEntry(tag, into: &mString)
        case 51: try r.mapEntry(tag, into: &mInt32)
        case 60: oInt32 = try r.int32(tag)
        case 61: oString = try r.string(tag)
        case 62: oBool = try r.bool(tag)
        case 70: choice = .string(try r.string(tag))
        case 71: choice = .int64(try r.int64(tag))
        case 72:
            var nested: Nested?
            if case .nested(let existing) = choice { nested = existing }
            try r.message(tag, into: &nested)
            choice = .nested(nested!)
        default: try r.skip(tag)
        }
    }
}
