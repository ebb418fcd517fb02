public import RosterWire

/// The services, methods, messages and enums of a FileDescriptorSet, by fully qualified name
/// (without the leading dot descriptors use): what `roster describe` shows and what
/// ``JSONTranscoder`` transcodes by.
public struct ProtoSchema: Sendable {
    /// A message type and where it is declared.
    public struct Message: Sendable {
        public var fullName: String
        public var descriptor: DescriptorProto
        /// The .proto file that declares it.
        public var file: String
    }

    /// An enum type.
    public struct Enum: Sendable {
        public var fullName: String
        public var descriptor: EnumDescriptorProto

        /// The value's name, or nil for a number the schema does not know.
        public func name(of number: Int32) -> String? {
            descriptor.value.first { $0.number == number }?.name
        }
    }

    /// A service and its methods.
    public struct Service: Sendable {
        public var fullName: String
        public var methods: [Method]
        public var file: String
    }

    /// One method of a service.
    public struct Method: Sendable {
        /// The service's full name, e.g. `roster.v1.Roster`.
        public var service: String
        public var name: String
        /// The request type's full name, e.g. `roster.v1.StartSyncRequest`.
        public var requestType: String
        public var responseType: String
        public var clientStreaming: Bool
        public var serverStreaming: Bool

        /// `roster.v1.Roster.StartSync`.
        public var fullName: String { "\(service).\(name)" }
        /// The path HEADERS carry: `/roster.v1.Roster/StartSync`.
        public var path: String { "/\(service)/\(name)" }
    }

    /// What a name given by a person stands for.
    public enum Symbol: Sendable {
        case service(Service)
        case method(Method)
        case message(Message)
        case `enum`(Enum)

        /// The symbol's fully qualified name.
        public var fullName: String {
            switch self {
            case .service(let service): service.fullName
            case .method(let method): method.fullName
            case .message(let message): message.fullName
            case .enum(let value): value.fullName
            }
        }
    }

    /// A name that stands for nothing, or for several things.
    public struct LookupError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public let files: [FileDescriptorProto]
    /// In the files' order.
    public let services: [Service]
    public let messages: [String: Message]
    public let enums: [String: Enum]

    /// The schema of the reflection call's answer.
    public init(_ answer: GetFileDescriptorSetResponse) throws(ProtoDecodingError) {
        var files: [FileDescriptorProto] = []
        for file in answer.file { files.append(try FileDescriptorProto(decoding: file)) }
        self.init(files: files)
    }

    public init(files: [FileDescriptorProto]) {
        var services: [Service] = []
        var messages: [String: Message] = [:]
        var enums: [String: Enum] = [:]
        func add(_ message: DescriptorProto, scope: String, file: String) {
            let fullName = Self.join(scope, message.name)
            messages[fullName] = Message(fullName: fullName, descriptor: message, file: file)
            for nested in message.nestedType { add(nested, scope: fullName, file: file) }
            for value in message.enumType {
                enums[Self.join(fullName, value.name)] = Enum(
                    fullName: Self.join(fullName, value.name),
                    descriptor: value
                )
            }
        }
        for file in files {
            for message in file.messageType { add(message, scope: file.package, file: file.name) }
            for value in file.enumType {
                enums[Self.join(file.package, value.name)] = Enum(
                    fullName: Self.join(file.package, value.name),
                    descriptor: value
                )
            }
            for service in file.service {
                let fullName = Self.join(file.package, service.name)
                let methods = service.method.map { method in
                    Method(
                        service: fullName,
                        name: method.name,
                        requestType: Self.strip(method.inputType),
                        responseType: Self.strip(method.outputType),
                        clientStreaming: method.clientStreaming,
                        serverStreaming: method.serverStreaming
                    )
                }
                services.append(Service(fullName: fullName, methods: methods, file: file.name))
            }
        }
        self.files = files
        self.services = services
        self.messages = messages
        self.enums = enums
    }

    private static func join(_ scope: String, _ name: String) -> String { scope.isEmpty ? name : "\(scope).\(name)" }

    /// A descriptor's type name without its leading dot.
    static func strip(_ typeName: String) -> String {
        typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
    }

    /// The message type named `typeName` (with or without the leading dot).
    public func message(_ typeName: String) -> Message? { messages[Self.strip(typeName)] }

    /// The enum type named `typeName` (with or without the leading dot).
    public func enumType(_ typeName: String) -> Enum? { enums[Self.strip(typeName)] }

    /// Every method, in the services' order.
    public var methods: [Method] { services.flatMap(\.methods) }

    /// What `name` stands for: a full name (`roster.v1.Roster`, `roster.v1.Roster.StartSync`,
    /// `roster.v1.Roster/StartSync`, `/roster.v1.Roster/StartSync`, `roster.v1.Contact`) or a short
    /// one (`StartSync`, `Contact`) when only one thing has it.
    public func lookup(_ name: String) throws(LookupError) -> Symbol {
        var full = String(name.trimmingPrefix("/")).replacing("/", with: ".")
        full = Self.strip(full)
        if let symbol = exact(full) { return symbol }
        var candidates: [Symbol] = []
        for service in services {
            if Self.shortName(service.fullName) == full { candidates.append(.service(service)) }
            for method in service.methods where method.name == full { candidates.append(.method(method)) }
        }
        for message in messages.values where message.fullName.hasSuffix(".\(full)") {
            candidates.append(.message(message))
        }
        for value in enums.values where value.fullName.hasSuffix(".\(full)") { candidates.append(.enum(value)) }
        switch candidates.count {
        case 1: return candidates[0]
        case 0:
            throw LookupError(
                description: "this server has no service, method, message or enum named \"\(name)\""
            )
        default:
            let names = candidates.map(\.fullName).sorted().joined(separator: ", ")
            throw LookupError(description: "\"\(name)\" could be any of \(names); give the full name")
        }
    }

    /// The method `name` stands for, as ``lookup(_:)`` finds it.
    public func method(_ name: String) throws(LookupError) -> Method {
        let symbol = try lookup(name)
        guard case .method(let method) = symbol else {
            throw LookupError(description: "\(symbol.fullName) is not a method")
        }
        return method
    }

    private func exact(_ full: String) -> Symbol? {
        for service in services {
            if service.fullName == full { return .service(service) }
            for method in service.methods where method.fullName == full { return .method(method) }
        }
        if let message = messages[full] { return .message(message) }
        if let value = enums[full] { return .enum(value) }
        return nil
    }
}
