internal import ArgumentParser
internal import RosterClient
internal import RosterReflection

/// `roster describe [SYMBOL]`: the server's services, methods and messages, as its reflection call
/// tells them.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show the server's services and methods, or one service, method, message or enum.",
        discussion: """
            Asks the server for its schema (roster.reflection.v1.Reflection, any valid key). With no
            argument: every service and its methods. SYMBOL is a service (roster.v1.Roster), a method
            (roster.v1.Roster/StartSync, roster.v1.Roster.StartSync, or StartSync when no other
            method has that name), a message (roster.v1.Contact or Contact) or an enum; it is shown
            in .proto syntax, a method with its request and response messages. `roster call` calls
            any method with JSON.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "A service, method, message or enum (default: list the services and methods).")
    var symbol: String?

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let schema = try await ServerSchema.fetch(client)
            guard let symbol else {
                if context.json {
                    context.printJSON(.object([("services", .array(schema.services.map(Self.json)))]))
                } else {
                    for service in schema.services {
                        context.console.print(service.fullName)
                        for method in service.methods {
                            context.console.print("  " + ProtoSchema.rpcLine(method))
                        }
                    }
                }
                return .success
            }
            let found = try ServerSchema.lookup(symbol, in: schema)
            if context.json {
                context.printJSON(Self.json(found, schema))
            } else {
                schema.syntax(of: found).forEach(context.console.print)
            }
            return .success
        }
    }

    static func json(_ service: ProtoSchema.Service) -> JSONValue {
        .object([
            ("name", .string(service.fullName)), ("file", .string(service.file)),
            ("methods", .array(service.methods.map(json))),
        ])
    }

    static func json(_ method: ProtoSchema.Method) -> JSONValue {
        .object([
            ("name", .string(method.name)), ("path", .string(method.path)),
            ("requestType", .string(method.requestType)), ("responseType", .string(method.responseType)),
            ("clientStreaming", .bool(method.clientStreaming)), ("serverStreaming", .bool(method.serverStreaming)),
        ])
    }

    /// A symbol as JSON: its kind and name, a method's signature, a message's fields, and its
    /// .proto text.
    static func json(_ symbol: ProtoSchema.Symbol, _ schema: ProtoSchema) -> JSONValue {
        var members: [(String, JSONValue)] = []
        switch symbol {
        case .service(let service): members = [("kind", .string("service")), ("service", json(service))]
        case .method(let method): members = [("kind", .string("method")), ("method", json(method))]
        case .message(let message):
            let fields = message.descriptor.field.map { field -> JSONValue in
                .object([
                    ("name", .string(field.name)), ("jsonName", .string(field.jsonName)),
                    ("number", .int(Int64(field.number))), ("type", .string(schema.typeText(field))),
                    ("repeated", .bool(field.label == .repeated)), ("optional", .bool(field.proto3Optional)),
                ])
            }
            members = [("kind", .string("message")), ("name", .string(message.fullName)), ("fields", .array(fields))]
        case .enum(let value):
            let values = value.descriptor.value.map {
                JSONValue.object([("name", .string($0.name)), ("number", .int(Int64($0.number)))])
            }
            members = [("kind", .string("enum")), ("name", .string(value.fullName)), ("values", .array(values))]
        }
        return .object(members + [("proto", .string(schema.syntax(of: symbol).joined(separator: "\n")))])
    }
}
