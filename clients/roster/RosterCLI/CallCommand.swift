internal import ArgumentParser
internal import Foundation
internal import RosterClient
internal import RosterRPC
internal import RosterReflection
internal import RosterWire

/// `roster call METHOD [JSON]`: any method of the server, by hand: the request as JSON in, the reply
/// as JSON out (a server stream as JSON Lines), transcoded by the server's own schema.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call any method of the server with a JSON request and print the reply as JSON.",
        discussion: """
            METHOD is named as for `roster describe` (roster.v1.Roster/GetStatus, or GetStatus).
            The request follows protobuf's proto3 JSON mapping: field names in lowerCamelCase or as
            in the .proto file, enums by name, 64-bit integers as numbers or strings, bytes as
            base64, maps as objects. JSON is the argument; `-` reads it from standard input, and so
            does leaving it out unless standard input is a terminal (then the request is {}).
            The reply is one line of JSON; a server-streaming method prints one line per message
            (JSON Lines) until the stream ends. Fields at their default are left out.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The method, e.g. roster.v1.Roster/GetStatus or GetStatus.")
    var method: String

    @Argument(help: "The request as JSON; `-` or nothing: read it from standard input.")
    var request: String?

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let schema = try await ServerSchema.fetch(client)
            guard case .method(let method) = try ServerSchema.lookup(method, in: schema) else {
                throw CLIFailure(
                    "\(method) is not a method",
                    hint: "`roster describe \(method)` shows what it is; `roster describe` lists the methods"
                )
            }
            guard !method.clientStreaming else {
                throw CLIFailure("\(method.fullName) streams requests; roster call sends one request only")
            }
            let transcoder = JSONTranscoder(schema: schema)
            let message = try Self.encode(try readRequest(), method: method, transcoder)
            if method.serverStreaming {
                let stream = try await client.serverStreaming(method.path, request: message, response: WireMessage.self)
                for try await reply in stream {
                    context.printJSON(try Self.decode(reply, method: method, transcoder))
                }
            } else {
                let reply = try await client.unary(method.path, request: message, response: WireMessage.self)
                context.printJSON(try Self.decode(reply, method: method, transcoder))
            }
            return .success
        }
    }

    /// The request's JSON text: the argument, or standard input.
    private func readRequest() throws -> String {
        if let request, request != "-" { return request }
        if request == nil, isatty(0) == 1 { return "{}" }
        let text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        return text.allSatisfy(\.isWhitespace) ? "{}" : text
    }

    static func encode(_ text: String, method: ProtoSchema.Method, _ transcoder: JSONTranscoder) throws -> WireMessage {
        let hint = "`roster describe \(method.requestType)` shows the request's fields"
        let json: JSON
        do {
            json = try JSONParser.parse(text)
        } catch {
            throw CLIFailure("the request is not valid JSON: \(error)", hint: hint + "; pass e.g. '{}'")
        }
        do {
            return try transcoder.wireMessage(from: json, type: method.requestType)
        } catch {
            throw CLIFailure("the request is not a valid \(method.requestType): \(error)", hint: hint)
        }
    }

    static func decode(_ reply: WireMessage, method: ProtoSchema.Method, _ transcoder: JSONTranscoder) throws
        -> JSONValue
    {
        do {
            return JSONValue(try transcoder.json(from: reply.encodedBytes, type: method.responseType))
        } catch {
            throw CLIFailure(
                "the reply is not a valid \(method.responseType): \(error)",
                hint: "see the rosterd log for details",
                exitCode: RosterExitCode.failure
            )
        }
    }
}
