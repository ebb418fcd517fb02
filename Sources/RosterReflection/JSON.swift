/// A JSON document as parsed: numbers keep their text, so a 64-bit integer loses no digit, and
/// object members keep their order (duplicates included).
public indirect enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number as written, e.g. `-12`, `1.5e3`.
    case number(String)
    case string(String)
    case array([JSON])
    case object([Member])

    /// One member of an object.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSON

        public init(_ key: String, _ value: JSON) {
            self.key = key
            self.value = value
        }
    }

    /// What kind of value this is, for messages ("a string", "an object").
    public var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
