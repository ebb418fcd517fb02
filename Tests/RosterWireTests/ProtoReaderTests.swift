import RosterWire
import Testing

@Suite("Protobuf decoding rules and errors")
struct ProtoReaderTests {
    private func decode(_ bytes: [UInt8]) throws(ProtoDecodingError) -> AllTypes {
        try AllTypes(decoding: bytes)
    }

    private func error(_ bytes: [UInt8], limits: ProtoDecodingLimits = .default) -> ProtoDecodingError? {
        do {
            _ = try AllTypes(decoding: bytes, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test("a negative int32 is written as a 10-byte varint")
    func negativeInt32() throws {
        var m = AllTypes()
        m.fInt32 = -1
        #expect(m.encodedBytes == [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(try decode(m.encodedBytes).fInt32 == -1)
    }

    @Test("sint32 and sint64 use zigzag")
    func zigZag() throws {
        var m = AllTypes()
        m.fSInt32 = -1
        m.fSInt64 = 1
        #expect(m.encodedBytes == [0x28, 0x01, 0x30, 0x02])
        m.fSInt32 = .min
        m.fSInt64 = .min
        #expect(try decode(m.encodedBytes) == m)
    }

    @Test("default values are not emitted; optional and oneof fields are, even when zero")
    func presence() throws {
        #expect(AllTypes().encodedBytes.isEmpty)
        var m = AllTypes()
        m.oInt32 = 0
        m.oString = ""
        m.choice = .int64(0)
        #expect(m.encodedBytes == [0xE0, 0x03, 0x00, 0xEA, 0x03, 0x00, 0xB8, 0x04, 0x00])
        let decoded = try decode(m.encodedBytes)
        #expect(decoded.oInt32 == 0 && decoded.oString == "" && decoded.oBool == nil)
        #expect(decoded.choice == .int64(0))
    }

    @Test("packed and unpacked encodings of a repeated field are both accepted")
    func packedAndUnpacked() throws {
        // Field 31 (repeated int32, packed on the wire by default): packed [1, 2], then unpacked 3, then -1.
        let bytes: [UInt8] = [0xFA, 0x01, 0x02, 0x01, 0x02, 0xF8, 0x01, 0x03]
        #expect(try decode(bytes).rInt32 == [1, 2, 3])
        // Field 40 is declared [packed = false] but a packed run must still be read.
        #expect(try decode([0xC2, 0x02, 0x02, 0x05, 0x06]).rInt32Unpacked == [5, 6])
        var m = AllTypes()
        m.rInt32Unpacked = [5, 6]
        #expect(m.encodedBytes == [0xC0, 0x02, 0x05, 0xC0, 0x02, 0x06])
        // Packed fixed32 with a length that is not a multiple of 4.
        #expect(error([0x8A, 0x02, 0x03, 0x01, 0x02, 0x03])?.reason == .malformedPacked)
    }

    @Test("unknown fields of every wire type are skipped, groups included")
    func unknownFields() throws {
        let bytes: [UInt8] = [
            0xA0, 0x06, 0x96, 0x01,  // field 100 varint 150
            0xA9, 0x06, 1, 2, 3, 4, 5, 6, 7, 8,  // field 101 fixed64
            0xB2, 0x06, 0x02, 0x61, 0x62,  // field 102 length-delimited
            0xBD, 0x06, 1, 2, 3, 4,  // field 103 fixed32
            0xC3, 0x06, 0x08, 0x01, 0xC4, 0x06,  // field 104 group holding field 1 = 1
            0x08, 0x07,  // f_int32 = 7
        ]
        #expect(try decode(bytes).fInt32 == 7)
        // An end-group tag with a different field number.
        #expect(error([0xC3, 0x06, 0xCC, 0x06])?.reason == .unmatchedGroup)
        // An end-group tag with no start.
        #expect(error([0xC4, 0x06])?.reason == .unmatchedGroup)
    }

    @Test("open enums keep unknown values through a round trip")
    func openEnums() throws {
        var m = AllTypes()
        m.fEnum = Color(rawValue: 42)
        m.rEnum = [Color(rawValue: -7), .red]
        let decoded = try decode(m.encodedBytes)
        #expect(decoded.fEnum.rawValue == 42)
        #expect(decoded.fEnum.description == "Color(42)")
        #expect(decoded.rEnum == [Color(rawValue: -7), .red])
    }

    @Test("a repeated singular message field is merged, as protobuf requires")
    func mergeMessages() throws {
        // f_nested { value: 1 } then f_nested { child { value: 2 } }
        let bytes: [UInt8] = [0x8A, 0x01, 0x02, 0x08, 0x01, 0x8A, 0x01, 0x04, 0x12, 0x02, 0x08, 0x02]
        let nested = try #require(try decode(bytes).fNested)
        #expect(nested.value == 1)
        #expect(nested.child?.value == 2)
    }

    @Test("varints: ten bytes at most, and no bits past the 64th")
    func varintLimits() throws {
        let max: [UInt8] = [0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        #expect(try decode(max).fUInt64 == .max)
        let eleven: [UInt8] = [0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x81, 0x01]
        let tooLong = try #require(error(eleven))
        #expect(tooLong.reason == .malformedVarint)
        #expect(tooLong.offset == 1)
        #expect(tooLong.fieldNumber == 4)
        #expect(error([0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02])?.reason == .malformedVarint)
    }

    @Test(
        "truncated input is an error at the right place",
        arguments: [
            [0x08], [0x08, 0x80], [0x3D, 0x01, 0x02], [0x41, 1, 2, 3, 4, 5, 6, 7], [0x72, 0x05, 0x61],
        ] as [[UInt8]]
    )
    func truncated(bytes: [UInt8]) throws {
        let failure = try #require(error(bytes))
        #expect(failure.reason == .truncated || failure.reason == .lengthOutOfBounds(5))
        #expect(failure.messageName == "roster.test.v1.AllTypes")
    }

    @Test("a nested length that runs past its parent is refused")
    func nestedLengthOutOfBounds() throws {
        // f_nested of length 3 holding a string-typed unknown field of length 5.
        let failure = try #require(error([0x8A, 0x01, 0x03, 0x1A, 0x05, 0x61]))
        #expect(failure.reason == .lengthOutOfBounds(5))
        #expect(failure.messageName == "roster.test.v1.Nested")
        #expect(failure.fieldNumber == 3)
        #expect(failure.offset == 4)
        #expect(
            failure.description
                == "roster.test.v1.Nested field 3 (byte 4): length 5 runs past the end of the enclosing message"
        )
    }

    @Test("invalid UTF-8 in a string field is refused, and named")
    func invalidUTF8() throws {
        for bad: [UInt8] in [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF]] {
            let failure = try #require(error([0x72, UInt8(bad.count)] + bad))
            #expect(failure.reason == .invalidUTF8)
            #expect(failure.fieldNumber == 14)
        }
        // Bytes fields take anything.
        #expect(try decode([0x7A, 0x01, 0xFF]).fBytes == [0xFF])
        // Map keys are strings too.
        #expect(error([0x92, 0x03, 0x03, 0x0A, 0x01, 0xFF])?.reason == .invalidUTF8)
    }

    @Test("field number 0, field numbers past 2^29-1 and wire types 6 and 7 are refused")
    func invalidTags() throws {
        #expect(error([0x00, 0x01])?.reason == .invalidFieldNumber(0))
        #expect(error([0x0E, 0x01])?.reason == .invalidWireType(6))
        #expect(error([0x0F, 0x01])?.reason == .invalidWireType(7))
        #expect(error([0xF8, 0xFF, 0xFF, 0xFF, 0x7F, 0x00])?.reason == .invalidFieldNumber(1 << 32 - 1))
    }

    @Test("a known field with the wrong wire type is an error naming both types")
    func wrongWireType() throws {
        let failure = try #require(error([0x0A, 0x00]))  // f_int32 as length-delimited
        #expect(failure.reason == .wrongWireType(expected: .varint, actual: .lengthDelimited))
        #expect(failure.fieldNumber == 1)
    }

    @Test("nesting deeper than the limit is refused, for messages and for skipped groups")
    func depthLimit() throws {
        var nested = Nested()
        for value in 0..<30 {
            var parent = Nested()
            parent.value = Int32(value)
            parent.child = nested
            nested = parent
        }
        var m = AllTypes()
        m.fNested = nested
        #expect(try decode(m.encodedBytes) == m)
        let failure = try #require(error(m.encodedBytes, limits: ProtoDecodingLimits(maxDepth: 10)))
        #expect(failure.reason == .tooDeep(limit: 10))
        let groups = [UInt8]([[UInt8]](repeating: [0xC3, 0x06], count: 200).joined())
        #expect(error(groups)?.reason == .tooDeep(limit: 100))
    }

    @Test("a message over the size limit is refused before decoding")
    func sizeLimit() throws {
        var m = AllTypes()
        m.fString = String(repeating: "x", count: 2000)
        let failure = try #require(error(m.encodedBytes, limits: ProtoDecodingLimits(maxSize: 1024)))
        #expect(failure.reason == .tooLarge(size: 2003, limit: 1024))
    }

    @Test("floats keep -0.0, infinities and subnormals bit for bit")
    func floats() throws {
        for value: Float in [-0.0, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude] {
            var m = AllTypes()
            m.fFloat = value
            m.fDouble = Double(value)
            let decoded = try decode(m.encodedBytes)
            #expect(decoded.fFloat.bitPattern == value.bitPattern)
            #expect(decoded.fDouble.bitPattern == Double(value).bitPattern)
        }
    }
}
