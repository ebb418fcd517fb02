package import NIOCore

/// A JSON value as the double stores directory objects: properties keep their order, so the
/// double's output is stable and cheap to filter by `$select`.
package enum JSONValue: Sendable, Hashable, Decodable, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByNilLiteral, ExpressibleByIntegerLiteral
{
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    package init(stringLiteral value: String) { self = .string(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(nilLiteral: ()) { self = .null }
    package init(integerLiteral value: Int) { self = .int(value) }

    /// The string, when this is one.
    package var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The bool, when this is one.
    package var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    package init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: JSONObject.FieldKey.self) {
            self = .object(try JSONObject(from: object))
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var values: [JSONValue] = []
            while !array.isAtEnd { values.append(try array.decode(JSONValue.self)) }
            self = .array(values)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int.self) {
            self = .int(value)
        } else if let value = try? single.decode(Double.self) {
            self = .double(value)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    /// Appends this value as JSON.
    package func write(to buffer: inout ByteBuffer) {
        switch self {
        case .null: buffer.writeStaticString("null")
        case .bool(let value): buffer.writeStaticString(value ? "true" : "false")
        case .int(let value): buffer.writeString(String(value))
        case .double(let value): buffer.writeString(value.isFinite ? "\(value)" : "null")
        case .string(let value): Self.writeString(value, to: &buffer)
        case .array(let values):
            buffer.writeInteger(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                value.write(to: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .object(let object): object.write(to: &buffer)
        }
    }

    /// Appends `text` as a JSON string: quotes, backslashes and control characters escaped,
    /// everything else as UTF-8.
    package static func writeString(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        let utf8 = text.utf8
        if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            buffer.writeString(text)
        } else {
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hex[Int(byte >> 4)])
                    buffer.writeInteger(hex[Int(byte & 0xF)])
                default: buffer.writeInteger(byte)
                }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}

/// A JSON object whose properties keep their order.
package struct JSONObject: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// The properties in order; keys are unique.
    package private(set) var fields: [(key: String, value: JSONValue)]

    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        fields = []
        for (key, value) in elements { self[key] = value }
    }

    package init() { fields = [] }

    /// The property named `key`; setting `nil` removes it (setting `.null` keeps it as null).
    package subscript(key: String) -> JSONValue? {
        get { fields.first(where: { $0.key == key })?.value }
        set {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append((key, newValue))
            }
        }
    }

    /// Appends the object as JSON: every property, or with `select`, only those (absent ones as null).
    /// - Parameter omitNulls: leave out properties whose value is null, as Graph does in delta rows.
    package func write(to buffer: inout ByteBuffer, select: [String]? = nil, omitNulls: Bool = false) {
        buffer.writeInteger(UInt8(ascii: "{"))
        var first = true
        func field(_ key: String, _ value: JSONValue) {
            if omitNulls, value == .null { return }
            if !first { buffer.writeInteger(UInt8(ascii: ",")) }
            first = false
            JSONValue.writeString(key, to: &buffer)
            buffer.writeInteger(UInt8(ascii: ":"))
            value.write(to: &buffer)
        }
        if let select {
            for key in select { field(key, self[key] ?? .null) }
        } else {
            for (key, value) in fields { field(key, value) }
        }
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    // MARK: - Hashable and decoding

    package static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.fields.elementsEqual(rhs.fields, by: { $0.key == $1.key && $0.value == $1.value })
    }

    package func hash(into hasher: inout Hasher) {
        for (key, value) in fields {
            hasher.combine(key)
            hasher.combine(value)
        }
    }

    struct FieldKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from container: KeyedDecodingContainer<FieldKey>) throws {
        fields = []
        for key in container.allKeys {
            fields.append((key.stringValue, try container.decode(JSONValue.self, forKey: key)))
        }
    }
}
