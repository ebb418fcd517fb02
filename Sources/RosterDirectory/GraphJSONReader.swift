/// A forward-only JSON reader over one response body, for the hot path: Graph pages of users.
///
/// `JSONDecoder` spent 84% of a 100,000-user fetch building a keyed container (a dictionary) per
/// user and per `onPremisesExtensionAttributes` (BENCHMARKS.md, "Directory: fetching users from
/// Graph beside curl"). This reader walks the bytes once, matches property names without
/// allocating, and builds only the strings it keeps. It accepts exactly RFC 8259 JSON; anything
/// else throws ``Failure`` with the byte offset.
/// Objects and arrays nest at most ``maxDepth`` deep: a directory endpoint (which a tenant admin
/// chooses) answering `[[[[…` a million deep gets a failure, not a stack overflow of the server.
struct GraphJSONReader: ~Copyable {
    /// The deepest nesting of objects and arrays read. Graph's pages nest 3 deep.
    static let maxDepth = 64

    /// Malformed JSON, or a value of the wrong type for its property.
    struct Failure: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "\(reason) at byte \(offset)" }
    }

    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0
    /// Objects and arrays open around the current position.
    private var depth = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    // MARK: - Structure

    /// Reads an object, calling `field` with each property name's bytes; `field` must consume the value.
    /// With `until`, stops (leaving the reader mid-object) before the first name it accepts.
    mutating func readObject(
        until stop: (UnsafeRawBufferPointer) -> Bool = { _ in false },
        _ field: (inout GraphJSONReader, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try expect(UInt8(ascii: "{"))
        try enterNested()
        defer { depth -= 1 }
        if try peek() == UInt8(ascii: "}") {
            offset += 1
            return
        }
        while true {
            let name = try readNameBytes()
            if stop(name) { return }
            try expect(UInt8(ascii: ":"))
            try field(&self, name)
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return
            default: throw failure("expected , or } in an object")
            }
        }
    }

    /// Reads an array, calling `element` for each item; `element` must consume the item.
    mutating func readArray(_ element: (inout GraphJSONReader) throws -> Void) throws {
        try expect(UInt8(ascii: "["))
        try enterNested()
        defer { depth -= 1 }
        if try peek() == UInt8(ascii: "]") {
            offset += 1
            return
        }
        while true {
            try element(&self)
            switch try next() {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return
            default: throw failure("expected , or ] in an array")
            }
        }
    }

    private mutating func enterNested() throws {
        depth += 1
        guard depth <= Self.maxDepth else {
            throw failure("JSON nested deeper than \(Self.maxDepth) objects and arrays")
        }
    }

    /// Whether the next value is `null` (consumed if so).
    mutating func readNull() throws -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    // MARK: - Values

    mutating func readString() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset - 1]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return try readEscapedString(from: start) }
            if byte < 0x20 { throw failure("control character in a string") }
            offset += 1
        }
        throw failure("unterminated string")
    }

    mutating func readOptionalString() throws -> String? {
        try readNull() ? nil : readString()
    }

    mutating func readOptionalBool() throws -> Bool? {
        if try readNull() { return nil }
        if try peek() == UInt8(ascii: "t") {
            try literal("true")
            return true
        }
        try literal("false")
        return false
    }

    mutating func readOptionalInt() throws -> Int? {
        if try readNull() { return nil }
        let start = offset
        try skipNumber()
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let value = Int(text) else { throw failure("expected an integer") }
        return value
    }

    /// Any value as the text of an additional user property (`DirectoryUser.attributes`): a
    /// string as it is, a number as its JSON text, a boolean as `true` or `false`, an array as its
    /// non-null items so read, joined by a line feed. Null, an empty array and an object (complex
    /// types are not offered as attributes) read as nil.
    mutating func readAttributeText() throws -> String? {
        switch try peek() {
        case UInt8(ascii: "n"):
            try literal("null")
            return nil
        case UInt8(ascii: "\""):
            return try readString()
        case UInt8(ascii: "t"):
            try literal("true")
            return "true"
        case UInt8(ascii: "f"):
            try literal("false")
            return "false"
        case UInt8(ascii: "["):
            var items: [String] = []
            try readArray { reader in
                if let item = try reader.readAttributeText() { items.append(item) }
            }
            return items.isEmpty ? nil : items.joined(separator: "\n")
        case UInt8(ascii: "{"):
            try skipValue()
            return nil
        default:
            let start = offset
            try skipNumber()
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        }
    }

    /// Skips any value.
    mutating func skipValue() throws {
        switch try peek() {
        case UInt8(ascii: "{"): try readObject { reader, _ in try reader.skipValue() }
        case UInt8(ascii: "["): try readArray { try $0.skipValue() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: try skipNumber()
        }
    }

    /// Steps over a string without building it (escapes are stepped over, not checked).
    private mutating func skipString() throws {
        try expect(UInt8(ascii: "\""))
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "\""):
                offset += 1
                return
            case UInt8(ascii: "\\"): offset += 2
            default: offset += 1
            }
        }
        throw failure("unterminated string")
    }

    /// Checks that only whitespace follows.
    mutating func expectEnd() throws {
        skipWhitespace()
        guard offset == bytes.count else { throw failure("unexpected bytes after the document") }
    }

    // MARK: - Names

    /// Whether a property name's bytes spell `name`.
    static func matches(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        let count = name.utf8CodeUnitCount
        guard bytes.count == count else { return false }
        let expected = name.utf8Start
        for index in 0..<count where bytes[index] != expected[index] { return false }
        return true
    }

    /// A property name, raw. Names with escapes are decoded into a scratch copy (Graph sends none).
    private mutating func readNameBytes() throws -> UnsafeRawBufferPointer {
        skipWhitespace()
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
            throw failure("expected a property name")
        }
        let start = offset + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
            if bytes[end] == UInt8(ascii: "\\") {
                // Rare: hand back a decoded copy that lives as long as the reader's caller needs it.
                let name = try readString()
                return Self.intern(name)
            }
            end += 1
        }
        guard end < bytes.count else { throw failure("unterminated property name") }
        offset = end + 1
        return UnsafeRawBufferPointer(rebasing: bytes[start..<end])
    }

    /// Escaped names are matched against the known names by value; an unknown one matches nothing.
    private static func intern(_ name: String) -> UnsafeRawBufferPointer {
        for known in knownNames where known.withUTF8Buffer({ String(decoding: $0, as: UTF8.self) }) == name {
            return known.withUTF8Buffer { UnsafeRawBufferPointer($0) }
        }
        return UnsafeRawBufferPointer(start: nil, count: 0)
    }

    /// Every name the readers look for, so an escaped spelling of one still matches.
    static let knownNames: [StaticString] = [
        "value", "@odata.nextLink", "@odata.deltaLink", "@odata.count", "@removed", "reason", "id",
        "userPrincipalName", "mail", "displayName", "givenName", "surname", "jobTitle", "department", "companyName",
        "officeLocation", "businessPhones", "mobilePhone", "faxNumber", "streetAddress", "city", "state", "postalCode",
        "country", "onPremisesExtensionAttributes", "accountEnabled", "userType", "users",
        "extensionAttribute1", "extensionAttribute2", "extensionAttribute3", "extensionAttribute4",
        "extensionAttribute5", "extensionAttribute6", "extensionAttribute7", "extensionAttribute8",
        "extensionAttribute9", "extensionAttribute10", "extensionAttribute11", "extensionAttribute12",
        "extensionAttribute13", "extensionAttribute14", "extensionAttribute15",
    ]

    // MARK: - Bytes

    private mutating func readEscapedString(from start: Int) throws -> String {
        var utf8 = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<offset]))
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard offset < bytes.count else { break }
                let escape = bytes[offset]
                offset += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try readHex4()
                    if (0xD800..<0xDC00).contains(scalar), offset + 1 < bytes.count,
                        bytes[offset] == UInt8(ascii: "\\"),
                        bytes[offset + 1] == UInt8(ascii: "u")
                    {
                        offset += 2
                        let low = try readHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw failure("invalid surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    utf8.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                default: throw failure("invalid escape")
                }
            default:
                if byte < 0x20 { throw failure("control character in a string") }
                utf8.append(byte)
            }
        }
        throw failure("unterminated string")
    }

    private mutating func readHex4() throws -> UInt32 {
        guard offset + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            offset += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func skipNumber() throws {
        skipWhitespace()
        let start = offset
        while offset < bytes.count {
            switch bytes[offset] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                offset += 1
            default:
                guard offset > start else { throw failure("expected a value") }
                return
            }
        }
        guard offset > start else { throw failure("expected a value") }
    }

    private mutating func literal(_ word: StaticString) throws {
        skipWhitespace()
        let count = word.utf8CodeUnitCount
        guard offset + count <= bytes.count,
            word.withUTF8Buffer({ $0.elementsEqual(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])) })
        else { throw failure("expected \(word)") }
        offset += count
    }

    private mutating func skipWhitespace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    private mutating func peek() throws -> UInt8 {
        skipWhitespace()
        guard offset < bytes.count else { throw failure("unexpected end of the document") }
        return bytes[offset]
    }

    private mutating func next() throws -> UInt8 {
        let byte = try peek()
        offset += 1
        return byte
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try next() == byte else { throw failure("expected \(Character(Unicode.Scalar(byte)))") }
    }

    func failure(_ reason: String) -> Failure {
        Failure(offset: offset, reason: reason)
    }
}
