/// Parses JSON text (RFC 8259) into ``JSON``, saying where the text goes wrong.
public struct JSONParser {
    /// Text that is not JSON: what is wrong and at which byte.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        /// 0-based offset in the UTF-8 text.
        public var offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private var offset = 0
    private var depth = 0

    /// Parses one JSON value filling the whole of `text` (white space around it allowed).
    public static func parse(_ text: String) throws(SyntaxError) -> JSON {
        var parser = JSONParser(bytes: Array(text.utf8))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.offset == parser.bytes.count else { throw parser.error("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ message: String) -> SyntaxError { SyntaxError(message: message, offset: offset) }

    private mutating func skipSpace() {
        while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
    }

    private mutating func value() throws(SyntaxError) -> JSON {
        skipSpace()
        guard offset < bytes.count else { throw error("the JSON ends where a value should be") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return try nested { (p: inout JSONParser) throws(SyntaxError) in try p.object() }
        case UInt8(ascii: "["): return try nested { (p: inout JSONParser) throws(SyntaxError) in try p.array() }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character '\(Character(UnicodeScalar(bytes[offset])))'")
        }
    }

    private mutating func nested(_ body: (inout JSONParser) throws(SyntaxError) -> JSON) throws(SyntaxError) -> JSON {
        depth += 1
        defer { depth -= 1 }
        guard depth <= 100 else { throw error("the JSON nests deeper than 100 levels") }
        return try body(&self)
    }

    private mutating func literal(_ word: String, _ value: JSON) throws(SyntaxError) -> JSON {
        let utf8 = Array(word.utf8)
        guard bytes.count - offset >= utf8.count, Array(bytes[offset..<offset + utf8.count]) == utf8 else {
            throw error("unexpected word (strings need double quotes)")
        }
        offset += utf8.count
        return value
    }

    private mutating func object() throws(SyntaxError) -> JSON {
        offset += 1
        var members: [JSON.Member] = []
        skipSpace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                throw error("expected a member name in double quotes")
            }
            let key = try string()
            skipSpace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else {
                throw error("expected ':' after the member name \"\(key)\"")
            }
            offset += 1
            members.append(JSON.Member(key, try value()))
            skipSpace()
            guard offset < bytes.count else { throw error("the JSON ends inside an object") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
            } else if bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(members)
            } else {
                throw error("expected ',' or '}' in an object")
            }
        }
    }

    private mutating func array() throws(SyntaxError) -> JSON {
        offset += 1
        var elements: [JSON] = []
        skipSpace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            return .array(elements)
        }
        while true {
            elements.append(try value())
            skipSpace()
            guard offset < bytes.count else { throw error("the JSON ends inside an array") }
            if bytes[offset] == UInt8(ascii: ",") {
                offset += 1
            } else if bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(elements)
            } else {
                throw error("expected ',' or ']' in an array")
            }
        }
    }

    private mutating func number() throws(SyntaxError) -> String {
        let start = offset
        func digits(_ parser: inout JSONParser) -> Int {
            let from = parser.offset
            while parser.offset < parser.bytes.count,
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.offset])
            {
                parser.offset += 1
            }
            return parser.offset - from
        }
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let integer = digits(&self)
        guard integer > 0 else { throw error("a number needs digits") }
        if integer > 1, bytes[offset - integer] == UInt8(ascii: "0") { throw error("a number may not start with 0") }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            guard digits(&self) > 0 else { throw error("a number needs digits after '.'") }
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            guard digits(&self) > 0 else { throw error("a number needs digits in its exponent") }
        }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    private mutating func string() throws(SyntaxError) -> String {
        offset += 1
        var scalars = String.UnicodeScalarView()
        var run = offset
        func flush(_ parser: JSONParser, _ scalars: inout String.UnicodeScalarView, upTo end: Int) {
            scalars.append(contentsOf: String(decoding: parser.bytes[run..<end], as: UTF8.self).unicodeScalars)
        }
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                flush(self, &scalars, upTo: offset)
                offset += 1
                return String(scalars)
            }
            if byte < 0x20 { throw error("a control character inside a string must be escaped") }
            if byte != UInt8(ascii: "\\") {
                offset += 1
                continue
            }
            flush(self, &scalars, upTo: offset)
            offset += 1
            guard offset < bytes.count else { break }
            let escape = bytes[offset]
            offset += 1
            switch escape {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"): scalars.append(try unicodeEscape())
            default:
                offset -= 2
                throw error("unknown escape in a string")
            }
            run = offset
        }
        throw error("the JSON ends inside a string")
    }

    /// The scalar of `\uXXXX` (a surrogate pair takes two), `offset` just after the `u`.
    private mutating func unicodeEscape() throws(SyntaxError) -> UnicodeScalar {
        let high = try hex4()
        if (0xD800..<0xDC00).contains(high) {
            guard bytes.count - offset >= 6, bytes[offset] == UInt8(ascii: "\\"), bytes[offset + 1] == UInt8(ascii: "u")
            else { throw error("a high surrogate must be followed by \\u and a low one") }
            offset += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("expected a low surrogate") }
            return UnicodeScalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))!
        }
        guard let scalar = UnicodeScalar(high) else { throw error("a lone low surrogate in a string") }
        return scalar
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard bytes.count - offset >= 4,
            let value = UInt32(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16)
        else { throw error("\\u needs four hex digits") }
        offset += 4
        return value
    }
}
