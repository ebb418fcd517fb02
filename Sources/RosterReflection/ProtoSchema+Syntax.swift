internal import RosterWire

// The schema written back as .proto text, for `roster describe`: the fields, types and numbers of
// the descriptors (comments are not in them; proto/ has those).
extension ProtoSchema {
    /// `symbol` in .proto syntax, headed by a comment naming it and its file; a method comes with its
    /// request and response messages.
    public func syntax(of symbol: Symbol) -> [String] {
        switch symbol {
        case .service(let service):
            return ["// \(service.fullName) (\(service.file))", "service \(Self.shortName(service.fullName)) {"]
                + service.methods.map { "  " + Self.rpcLine($0) } + ["}"]
        case .method(let method):
            var lines = ["// \(method.path)", Self.rpcLine(method)]
            for type in [method.requestType, method.responseType] {
                if let message = message(type) { lines += [""] + syntax(of: .message(message)) }
            }
            return lines
        case .message(let message):
            return ["// \(message.fullName) (\(message.file))"] + messageLines(message.descriptor, indent: "")
        case .enum(let value):
            return ["// \(value.fullName)"] + Self.enumLines(value.descriptor, indent: "")
        }
    }

    /// `rpc Name(Request) returns (stream Response);`
    public static func rpcLine(_ method: Method) -> String {
        let request = (method.clientStreaming ? "stream " : "") + method.requestType
        let response = (method.serverStreaming ? "stream " : "") + method.responseType
        return "rpc \(method.name)(\(request)) returns (\(response));"
    }

    /// A field's type as .proto writes it: `string`, `roster.v1.SyncScope`, `map<int32, string>`.
    public func typeText(_ field: FieldDescriptorProto) -> String {
        if field.label == .repeated, field.type == .message, let entry = message(field.typeName),
            entry.descriptor.isMapEntry, entry.descriptor.field.count == 2
        {
            return "map<\(typeText(entry.descriptor.field[0])), \(typeText(entry.descriptor.field[1]))>"
        }
        switch field.type {
        case .message, .enum, .group: return Self.strip(field.typeName)
        default: return field.type.description
        }
    }

    private func messageLines(_ message: DescriptorProto, indent: String) -> [String] {
        var lines = ["\(indent)message \(message.name) {"]
        let inner = indent + "  "
        for nested in message.nestedType where !nested.isMapEntry {
            lines += messageLines(nested, indent: inner)
        }
        for value in message.enumType { lines += Self.enumLines(value, indent: inner) }
        var printedOneofs: Set<Int32> = []
        for field in message.field {
            if let index = field.oneofIndex, !field.proto3Optional {
                guard printedOneofs.insert(index).inserted else { continue }
                lines.append("\(inner)oneof \(message.oneofDecl[Int(index)].name) {")
                for member in message.field where member.oneofIndex == index {
                    lines.append("\(inner)  \(fieldLine(member))")
                }
                lines.append("\(inner)}")
            } else {
                lines.append(inner + fieldLine(field))
            }
        }
        return lines + ["\(indent)}"]
    }

    private func fieldLine(_ field: FieldDescriptorProto) -> String {
        let type = typeText(field)
        let label =
            type.hasPrefix("map<")
            ? "" : field.label == .repeated ? "repeated " : field.proto3Optional ? "optional " : ""
        return "\(label)\(type) \(field.name) = \(field.number);"
    }

    private static func enumLines(_ value: EnumDescriptorProto, indent: String) -> [String] {
        ["\(indent)enum \(value.name) {"] + value.value.map { "\(indent)  \($0.name) = \($0.number);" } + ["\(indent)}"]
    }

    static func shortName(_ fullName: String) -> String {
        String(fullName.split(separator: ".").last ?? Substring(fullName))
    }
}
