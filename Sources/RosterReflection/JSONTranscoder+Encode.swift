internal import Foundation
internal import RosterWire

// JSON to protobuf bytes: fields in field-number order, proto3 defaults left out, repeated
// scalars packed, map entries in key order with key and value both written — what RosterWire's
// codecs and protoc write, so the bytes are the same.
extension JSONTranscoder {
    /// The protobuf encoding of `json` as a `typeName` message.
    public func bytes(from json: JSON, type typeName: String) throws(TranscodingError) -> [UInt8] {
        try wireMessage(from: json, type: typeName).encodedBytes
    }

    /// `json` as a `typeName` message, ready to send.
    public func wireMessage(from json: JSON, type typeName: String) throws(TranscodingError) -> WireMessage {
        try wireMessage(from: json, message: try messageType(typeName, path: ""), path: "", depth: 0)
    }

    private func wireMessage(
        from json: JSON,
        message: ProtoSchema.Message,
        path: String,
        depth: Int
    ) throws(TranscodingError) -> WireMessage {
        guard depth < Self.maxDepth else { throw TranscodingError(path: path, "messages nest deeper than 100") }
        guard case .object(let members) = json else {
            throw TranscodingError(path: path, "expected an object for \(message.fullName), got \(json.kind)")
        }
        let descriptor = message.descriptor
        var chosen: [Int32: (field: FieldDescriptorProto, value: JSON, key: String)] = [:]
        var oneofs: [Int32: String] = [:]
        for member in members {
            let memberPath = Self.join(path, member.key)
            guard let field = descriptor.field.first(where: { $0.jsonName == member.key || $0.name == member.key })
            else {
                let names = descriptor.field.map(\.jsonName).joined(separator: ", ")
                throw TranscodingError(
                    path: memberPath,
                    "\(message.fullName) has no field \"\(member.key)\"; its fields are: \(names.isEmpty ? "none" : names)"
                )
            }
            if let earlier = chosen[field.number] {
                throw TranscodingError(path: memberPath, "the field is given twice (also as \"\(earlier.key)\")")
            }
            if case .null = member.value { continue }  // null: the default
            if let index = field.oneofIndex, !field.proto3Optional {
                if let other = oneofs[index] {
                    let oneof = descriptor.oneofDecl[Int(index)].name
                    throw TranscodingError(
                        path: memberPath,
                        "\"\(other)\" and \"\(member.key)\" are both in oneof \(oneof): give only one"
                    )
                }
                oneofs[index] = member.key
            }
            chosen[field.number] = (field, member.value, member.key)
        }
        var fields: [WireMessage.Field] = []
        for number in chosen.keys.sorted() {
            let (field, value, key) = chosen[number]!
            fields += try encode(value, field, path: Self.join(path, key), depth)
        }
        return WireMessage(fields: fields)
    }

    /// The wire fields of one JSON member.
    private func encode(
        _ json: JSON,
        _ field: FieldDescriptorProto,
        path: String,
        _ depth: Int
    ) throws(TranscodingError) -> [WireMessage.Field] {
        let number = Int(field.number)
        if let entry = mapEntry(field) {
            return try mapFields(json, field: field, entry: entry, path: path, depth)
        }
        if field.label == .repeated {
            guard case .array(let elements) = json else {
                throw TranscodingError(path: path, "expected an array, got \(json.kind)")
            }
            var values: [WireMessage.Value] = []
            for (index, element) in elements.enumerated() {
                values.append(try value(element, field, path: "\(path)[\(index)]", depth))
            }
            guard Self.packedWidth(field.type) != nil else {
                return values.map { WireMessage.Field(number: number, value: $0) }
            }
            guard !values.isEmpty else { return [] }
            var packed: [UInt8] = []
            for value in values { Self.append(value, to: &packed) }
            return [WireMessage.Field(number: number, value: .lengthDelimited(packed))]
        }
        let encoded = try value(json, field, path: path, depth)
        if field.type != .message, !Self.tracksPresence(field), Self.isDefault(encoded) { return [] }
        return [WireMessage.Field(number: number, value: encoded)]
    }

    /// A packed element's bytes.
    private static func append(_ value: WireMessage.Value, to bytes: inout [UInt8]) {
        switch value {
        case .varint(var bits):
            while bits >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: bits) | 0x80)
                bits >>= 7
            }
            bytes.append(UInt8(bits))
        case .fixed32(let bits):
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> shift)) }
        case .fixed64(let bits):
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> shift)) }
        case .lengthDelimited(let part): bytes += part
        }
    }

    private func mapFields(
        _ json: JSON,
        field: FieldDescriptorProto,
        entry: DescriptorProto,
        path: String,
        _ depth: Int
    ) throws(TranscodingError) -> [WireMessage.Field] {
        guard case .object(let members) = json else {
            throw TranscodingError(path: path, "expected an object (a map), got \(json.kind)")
        }
        guard let keyField = entry.field.first(where: { $0.number == 1 }),
            let valueField = entry.field.first(where: { $0.number == 2 })
        else { throw TranscodingError(path: path, "the map entry \(entry.name) lacks its key or value field") }
        var entries: [String: (key: JSON, value: WireMessage.Value, keyValue: WireMessage.Value)] = [:]
        for member in members {
            let entryPath = "\(path)[\"\(member.key)\"]"
            let keyJSON: JSON = keyField.type == .string ? .string(member.key) : .number(member.key)
            let keyValue: WireMessage.Value
            if keyField.type == .bool {
                guard member.key == "true" || member.key == "false" else {
                    throw TranscodingError(path: entryPath, "a bool map key is \"true\" or \"false\"")
                }
                keyValue = .varint(member.key == "true" ? 1 : 0)
            } else {
                keyValue = try value(keyJSON, keyField, path: entryPath, depth)
            }
            let value: WireMessage.Value =
                if case .null = member.value { Self.zero(valueField) } else {
                    try value(member.value, valueField, path: entryPath, depth)
                }
            entries[member.key] = (keyJSON, value, keyValue)
        }
        let keys = entries.keys.sorted { a, b in
            keyField.type == .bool
                ? a == "false" && b == "true" : Self.keyPrecedes(.string(a), .string(b), type: keyField.type)
        }
        return keys.map { key in
            let entry = entries[key]!
            let bytes = WireMessage(fields: [
                WireMessage.Field(number: 1, value: entry.keyValue), WireMessage.Field(number: 2, value: entry.value),
            ]).encodedBytes
            return WireMessage.Field(number: Int(field.number), value: .lengthDelimited(bytes))
        }
    }

    /// One value (an element, for a repeated field) as its wire value.
    private func value(
        _ json: JSON,
        _ field: FieldDescriptorProto,
        path: String,
        _ depth: Int
    ) throws(TranscodingError) -> WireMessage.Value {
        switch field.type {
        case .int32:
            return .varint(
                UInt64(bitPattern: try Self.integer(json, Int64(Int32.min)...Int64(Int32.max), "int32", path))
            )
        case .sint32:
            let value = Int32(try Self.integer(json, Int64(Int32.min)...Int64(Int32.max), "sint32", path))
            return .varint(ProtoSize.zigZag(value))
        case .sfixed32:
            let value = Int32(try Self.integer(json, Int64(Int32.min)...Int64(Int32.max), "sfixed32", path))
            return .fixed32(UInt32(bitPattern: value))
        case .uint32:
            return .varint(UInt64(try Self.integer(json, 0...Int64(UInt32.max), "uint32", path)))
        case .fixed32:
            return .fixed32(UInt32(try Self.integer(json, 0...Int64(UInt32.max), "fixed32", path)))
        case .int64: return .varint(UInt64(bitPattern: try Self.integer(json, Int64.min...Int64.max, "int64", path)))
        case .sint64: return .varint(ProtoSize.zigZag(try Self.integer(json, Int64.min...Int64.max, "sint64", path)))
        case .sfixed64:
            return .fixed64(UInt64(bitPattern: try Self.integer(json, Int64.min...Int64.max, "sfixed64", path)))
        case .uint64: return .varint(try Self.unsigned64(json, "uint64", path))
        case .fixed64: return .fixed64(try Self.unsigned64(json, "fixed64", path))
        case .bool:
            guard case .bool(let value) = json else {
                throw TranscodingError(path: path, "expected true or false, got \(json.kind)")
            }
            return .varint(value ? 1 : 0)
        case .float:
            let value = try Self.floating(json, path)
            guard !value.isFinite || abs(value) <= Double(Float.greatestFiniteMagnitude) else {
                throw TranscodingError(path: path, "\(value) is out of range for a float")
            }
            return .fixed32(Float(value).bitPattern)
        case .double: return .fixed64(try Self.floating(json, path).bitPattern)
        case .string:
            guard case .string(let text) = json else {
                throw TranscodingError(path: path, "expected a string, got \(json.kind)")
            }
            return .lengthDelimited(Array(text.utf8))
        case .bytes:
            guard case .string(let text) = json, let data = Self.base64(text) else {
                throw TranscodingError(path: path, "expected a base64 string, got \(json.kind)")
            }
            return .lengthDelimited([UInt8](data))
        case .enum: return .varint(UInt64(bitPattern: Int64(try enumNumber(json, field, path: path))))
        case .message:
            let message = try messageType(field.typeName, path: path)
            let nested = try wireMessage(from: json, message: message, path: path, depth: depth + 1)
            return .lengthDelimited(nested.encodedBytes)
        default:
            throw TranscodingError(path: path, "fields of type \(field.type) are not supported")
        }
    }

    private func enumNumber(_ json: JSON, _ field: FieldDescriptorProto, path: String) throws(TranscodingError) -> Int32
    {
        let enumType = schema.enumType(field.typeName)
        if case .string(let name) = json {
            guard let value = enumType?.descriptor.value.first(where: { $0.name == name }) else {
                let names = enumType?.descriptor.value.map(\.name).joined(separator: ", ") ?? ""
                throw TranscodingError(
                    path: path,
                    "\"\(name)\" is not a value of \(ProtoSchema.strip(field.typeName)); use one of \(names)"
                )
            }
            return value.number
        }
        return Int32(try Self.integer(json, Int64(Int32.min)...Int64(Int32.max), "enum", path))
    }

    /// An integer given as a JSON number or a string holding one (`"12"`, `1e3`, `5.0`), within `range`.
    private static func integer(
        _ json: JSON,
        _ range: ClosedRange<Int64>,
        _ type: String,
        _ path: String
    ) throws(TranscodingError) -> Int64 {
        let text = try numberText(json, type, path)
        let value: Int64
        if let exact = Int64(text) {
            value = exact
        } else if let double = Double(text), double == double.rounded(), abs(double) < 9.2e18 {
            value = Int64(double)
        } else if Double(text) != nil || UInt64(text) != nil || text.allSatisfy({ $0.isNumber || $0 == "-" }) {
            throw TranscodingError(path: path, "\(text) is out of range for \(type) or not a whole number")
        } else {
            throw TranscodingError(path: path, "expected a whole number for \(type), got \"\(text)\"")
        }
        guard range.contains(value) else {
            throw TranscodingError(
                path: path,
                "\(text) is out of range for \(type) (\(range.lowerBound)…\(range.upperBound))"
            )
        }
        return value
    }

    private static func unsigned64(_ json: JSON, _ type: String, _ path: String) throws(TranscodingError) -> UInt64 {
        let text = try numberText(json, type, path)
        if let exact = UInt64(text) { return exact }
        if let double = Double(text), double == double.rounded(), double >= 0, double < 1.8e19 { return UInt64(double) }
        throw TranscodingError(path: path, "\(text) is not a whole number within 0…\(UInt64.max) for \(type)")
    }

    private static func numberText(_ json: JSON, _ type: String, _ path: String) throws(TranscodingError) -> String {
        switch json {
        case .number(let text): return text
        case .string(let text): return text
        default: throw TranscodingError(path: path, "expected a number for \(type), got \(json.kind)")
        }
    }

    private static func floating(_ json: JSON, _ path: String) throws(TranscodingError) -> Double {
        switch json {
        case .number(let text): if let value = Double(text) { return value }
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string(let text): if let value = Double(text), value.isFinite { return value }
        default: break
        }
        throw TranscodingError(
            path: path,
            "expected a number (or \"NaN\", \"Infinity\", \"-Infinity\"), got \(json.kind)"
        )
    }

    /// Standard or URL-safe base64, padded or not.
    private static func base64(_ text: String) -> Data? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard)
    }
}
