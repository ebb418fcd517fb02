internal import Foundation
internal import RosterWire

/// Turns protobuf bytes into JSON and JSON into protobuf bytes by a schema, following protobuf's
/// proto3 JSON mapping: lowerCamelCase names on output (the JSON name or the .proto name accepted
/// on input), 64-bit integers as strings (numbers or strings accepted), enums by name (numbers
/// accepted), bytes as base64, maps as objects, fields at their default left out.
public struct JSONTranscoder: Sendable {
    public let schema: ProtoSchema
    /// How deep messages may nest, as in RosterWire's decoder.
    static let maxDepth = 100

    public init(schema: ProtoSchema) { self.schema = schema }

    /// The JSON of a `typeName` message encoded as `bytes`.
    public func json(from bytes: [UInt8], type typeName: String) throws(TranscodingError) -> JSON {
        let message = try messageType(typeName, path: "")
        return try json(from: bytes, message: message, path: "", depth: 0)
    }

    func messageType(_ typeName: String, path: String) throws(TranscodingError) -> ProtoSchema.Message {
        guard let message = schema.message(typeName) else {
            throw TranscodingError(path: path, "the schema has no message \(ProtoSchema.strip(typeName))")
        }
        return message
    }

    static func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// True when the field is a proto3 `optional` or a oneof member: written whenever set.
    static func tracksPresence(_ field: FieldDescriptorProto) -> Bool {
        field.proto3Optional || field.oneofIndex != nil
    }

    /// The entry type of a `map<K, V>` field, or nil for any other field.
    func mapEntry(_ field: FieldDescriptorProto) -> DescriptorProto? {
        guard field.label == .repeated, field.type == .message, let entry = schema.message(field.typeName),
            entry.descriptor.isMapEntry
        else { return nil }
        return entry.descriptor
    }

    // MARK: - Bytes to JSON

    private func json(
        from bytes: [UInt8],
        message: ProtoSchema.Message,
        path: String,
        depth: Int
    ) throws(TranscodingError) -> JSON {
        guard depth < Self.maxDepth else { throw TranscodingError(path: path, "messages nest deeper than 100") }
        let wire: WireMessage
        do {
            wire = try WireMessage(decoding: bytes)
        } catch {
            throw TranscodingError(path: path, "not a valid \(message.fullName): \(error)")
        }
        var byNumber: [Int: [WireMessage.Value]] = [:]
        for field in wire.fields { byNumber[field.number, default: []].append(field.value) }
        var members: [JSON.Member] = []
        for field in message.descriptor.field {
            guard let values = byNumber[Int(field.number)], !values.isEmpty else { continue }
            let fieldPath = Self.join(path, field.name)
            if let entry = mapEntry(field) {
                members.append(JSON.Member(field.jsonName, try mapJSON(values, entry: entry, path: fieldPath, depth)))
            } else if field.label == .repeated {
                var elements: [JSON] = []
                for value in values {
                    for element in try Self.unpack(value, field, path: fieldPath) {
                        elements.append(try valueJSON(element, field, path: "\(fieldPath)[\(elements.count)]", depth))
                    }
                }
                members.append(JSON.Member(field.jsonName, .array(elements)))
            } else if field.type == .message {
                // Occurrences of a message field merge, which for bytes is concatenation.
                var merged: [UInt8] = []
                for case .lengthDelimited(let part) in values { merged += part }
                let value = WireMessage.Value.lengthDelimited(merged)
                members.append(JSON.Member(field.jsonName, try valueJSON(value, field, path: fieldPath, depth)))
            } else {
                let value = values[values.count - 1]
                if !Self.tracksPresence(field), Self.isDefault(value) { continue }
                members.append(JSON.Member(field.jsonName, try valueJSON(value, field, path: fieldPath, depth)))
            }
        }
        return .object(members)
    }

    /// A value at its default: left out of the output for a field without presence.
    static func isDefault(_ value: WireMessage.Value) -> Bool {
        switch value {
        case .varint(let bits), .fixed64(let bits): bits == 0
        case .fixed32(let bits): bits == 0
        case .lengthDelimited(let bytes): bytes.isEmpty
        }
    }

    /// The elements of one occurrence of a repeated field: a packed run holds several.
    private static func unpack(
        _ value: WireMessage.Value,
        _ field: FieldDescriptorProto,
        path: String
    ) throws(TranscodingError) -> [WireMessage.Value] {
        guard case .lengthDelimited(let bytes) = value, let width = packedWidth(field.type) else { return [value] }
        var elements: [WireMessage.Value] = []
        var index = 0
        while index < bytes.count {
            switch width {
            case 4:
                guard index + 4 <= bytes.count else { throw TranscodingError(path: path, "a packed run is cut short") }
                let bits = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[index + $1]) << (8 * $1) }
                elements.append(.fixed32(bits))
                index += 4
            case 8:
                guard index + 8 <= bytes.count else { throw TranscodingError(path: path, "a packed run is cut short") }
                let bits = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[index + $1]) << (8 * $1) }
                elements.append(.fixed64(bits))
                index += 8
            default:
                var bits: UInt64 = 0
                var shift: UInt64 = 0
                while true {
                    guard index < bytes.count, shift < 64 else {
                        throw TranscodingError(path: path, "a packed run holds a broken varint")
                    }
                    let byte = bytes[index]
                    index += 1
                    bits |= UInt64(byte & 0x7F) << shift
                    shift += 7
                    if byte < 0x80 { break }
                }
                elements.append(.varint(bits))
            }
        }
        return elements
    }

    /// For a packable scalar type: its element width (4, 8, or 0 for a varint); nil otherwise.
    static func packedWidth(_ type: FieldDescriptorProto.FieldType) -> Int? {
        switch type {
        case .fixed32, .sfixed32, .float: 4
        case .fixed64, .sfixed64, .double: 8
        case .int32, .int64, .uint32, .uint64, .sint32, .sint64, .bool, .enum: 0
        default: nil
        }
    }

    private func mapJSON(
        _ values: [WireMessage.Value],
        entry: DescriptorProto,
        path: String,
        _ depth: Int
    ) throws(TranscodingError) -> JSON {
        guard let keyField = entry.field.first(where: { $0.number == 1 }),
            let valueField = entry.field.first(where: { $0.number == 2 })
        else { throw TranscodingError(path: path, "the map entry \(entry.name) lacks its key or value field") }
        var entries: [(key: JSON, value: JSON)] = []
        for case .lengthDelimited(let bytes) in values {
            guard let wire = try? WireMessage(decoding: bytes) else {
                throw TranscodingError(path: path, "a map entry is not valid protobuf")
            }
            let key = wire.fields.last { $0.number == 1 }?.value ?? Self.zero(keyField)
            let value = wire.fields.last { $0.number == 2 }?.value ?? Self.zero(valueField)
            let keyJSON = try valueJSON(key, keyField, path: path, depth)
            let entryPath = "\(path)[\(Self.render(keyJSON))]"
            entries.append((keyJSON, try valueJSON(value, valueField, path: entryPath, depth)))
        }
        // One member per key, the last occurrence winning, in key order (as the encoder writes them).
        var members: [String: JSON] = [:]
        var keys: [JSON] = []
        for (key, value) in entries {
            let text = Self.render(key)
            if members[text] == nil { keys.append(key) }
            members[text] = value
        }
        keys.sort { Self.keyPrecedes($0, $1, type: keyField.type) }
        return .object(keys.map { JSON.Member(Self.render($0), members[Self.render($0)]!) })
    }

    /// A map key as the text of its JSON member name.
    static func render(_ key: JSON) -> String {
        switch key {
        case .string(let text), .number(let text): text
        case .bool(let value): value ? "true" : "false"
        default: ""
        }
    }

    /// Map keys in protobuf's order: integers numerically, strings by their UTF-8 bytes, false first.
    static func keyPrecedes(_ a: JSON, _ b: JSON, type: FieldDescriptorProto.FieldType) -> Bool {
        let (x, y) = (render(a), render(b))
        switch type {
        case .string: return x.utf8.lexicographicallyPrecedes(y.utf8)
        case .bool: return x == "false" && y == "true"
        case .uint64, .fixed64: return (UInt64(x) ?? 0) < (UInt64(y) ?? 0)
        default: return (Int64(x) ?? 0) < (Int64(y) ?? 0)
        }
    }

    /// The wire value of a field at its default.
    static func zero(_ field: FieldDescriptorProto) -> WireMessage.Value {
        switch field.type {
        case .fixed32, .sfixed32, .float: .fixed32(0)
        case .fixed64, .sfixed64, .double: .fixed64(0)
        case .string, .bytes, .message: .lengthDelimited([])
        default: .varint(0)
        }
    }

    /// One value of a field (an element, for a repeated one) as JSON.
    private func valueJSON(
        _ value: WireMessage.Value,
        _ field: FieldDescriptorProto,
        path: String,
        _ depth: Int
    ) throws(TranscodingError) -> JSON {
        func mismatch() -> TranscodingError {
            TranscodingError(path: path, "field \(field.number) came with the wrong wire type for a \(field.type)")
        }
        switch (field.type, value) {
        case (.int32, .varint(let bits)): return .number(String(Int32(truncatingIfNeeded: bits)))
        case (.uint32, .varint(let bits)): return .number(String(UInt32(truncatingIfNeeded: bits)))
        case (.sint32, .varint(let bits)):
            return .number(String(Int32(truncatingIfNeeded: ProtoSize.unZigZag(bits))))
        case (.int64, .varint(let bits)): return .string(String(Int64(bitPattern: bits)))
        case (.uint64, .varint(let bits)): return .string(String(bits))
        case (.sint64, .varint(let bits)): return .string(String(ProtoSize.unZigZag(bits)))
        case (.bool, .varint(let bits)): return .bool(bits != 0)
        case (.enum, .varint(let bits)):
            let number = Int32(truncatingIfNeeded: bits)
            return schema.enumType(field.typeName)?.name(of: number).map(JSON.string) ?? .number(String(number))
        case (.fixed32, .fixed32(let bits)): return .number(String(bits))
        case (.sfixed32, .fixed32(let bits)): return .number(String(Int32(bitPattern: bits)))
        case (.float, .fixed32(let bits)): return Self.number(Double(Float(bitPattern: bits)), float: true)
        case (.fixed64, .fixed64(let bits)): return .string(String(bits))
        case (.sfixed64, .fixed64(let bits)): return .string(String(Int64(bitPattern: bits)))
        case (.double, .fixed64(let bits)): return Self.number(Double(bitPattern: bits), float: false)
        case (.string, .lengthDelimited(let bytes)):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw TranscodingError(path: path, "the string is not valid UTF-8")
            }
            return .string(text)
        case (.bytes, .lengthDelimited(let bytes)): return .string(Data(bytes).base64EncodedString())
        case (.message, .lengthDelimited(let bytes)):
            return try json(
                from: bytes,
                message: try messageType(field.typeName, path: path),
                path: path,
                depth: depth + 1
            )
        default: throw mismatch()
        }
    }

    /// A float or double as proto3 JSON writes it: a number, or "NaN", "Infinity", "-Infinity".
    static func number(_ value: Double, float: Bool) -> JSON {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value < 0 ? "-Infinity" : "Infinity") }
        if value == value.rounded(), abs(value) < 1e15, !(value == 0 && value.sign == .minus) {
            return .number(String(Int64(value)))
        }
        return .number(float ? "\(Float(value))" : "\(value)")
    }
}
