import RosterReflection
import RosterWire
import Testing

/// The built-in FileDescriptorSet, read by RosterReflection's descriptor codecs, describes exactly
/// the calls and messages RosterWire declares.
@Suite("The built-in schema")
struct DescriptorSetTests {
    let schema: ProtoSchema

    /// A set that does not decode fails each test with the error, rather than trapping the run.
    init() throws {
        schema = try Self.builtInSchema()
    }

    /// The schema of the set rosterd serves.
    static func builtInSchema() throws -> ProtoSchema {
        try ProtoSchema(try GetFileDescriptorSetResponse(decoding: BuiltInDescriptorSet.bytes))
    }

    struct Signature: Hashable, CustomStringConvertible {
        var path: String
        var request: String
        var response: String
        var streams: Bool
        var description: String { "\(path)(\(request)) -> \(streams ? "stream " : "")\(response)" }
    }

    @Test("its methods are RosterMethods, HealthMethods and ReflectionMethods, in order, with their types and shapes")
    func methods() {
        func signature<M: RPCMethodDescriptor>(_ method: M) -> Signature {
            Signature(
                path: method.path,
                request: M.Request.protoMessageName,
                response: M.Response.protoMessageName,
                streams: method.streamsResponses
            )
        }
        let declared = (RosterMethods.all + HealthMethods.all + ReflectionMethods.all).map { signature($0) }
        let described = schema.methods.map {
            Signature(path: $0.path, request: $0.requestType, response: $0.responseType, streams: $0.serverStreaming)
        }
        #expect(described == declared)
        #expect(schema.methods.allSatisfy { !$0.clientStreaming })
        #expect(schema.files.map(\.name) == BuiltInDescriptorSet.files)
    }

    @Test("every message of RosterWire's catalog is described, with its fields' numbers")
    func messages() throws {
        for name in ProtoCatalog.messageTypes.keys {
            #expect(schema.message(name) != nil, "\(name) is not in the set")
        }
        let contact = try #require(schema.message("roster.v1.Contact")?.descriptor)
        let attributes = try #require(contact.field.first { $0.name == "extension_attributes" })
        #expect(attributes.number == 19 && attributes.jsonName == "extensionAttributes")
        #expect(schema.typeText(attributes) == "map<int32, string>")
        let update = try #require(schema.message("roster.v1.UpdateSettingsRequest")?.descriptor)
        #expect(update.field.first?.proto3Optional == true)
    }

    @Test("a name finds its service, method, message or enum, full or short; a wrong or ambiguous one says so")
    func lookup() throws {
        for name in [
            "roster.v1.Roster/StartSync", "/roster.v1.Roster/StartSync", "roster.v1.Roster.StartSync", "StartSync",
        ] {
            guard case .method(let method) = try schema.lookup(name) else {
                Issue.record("\(name) is not the method")
                continue
            }
            #expect(method.path == "/roster.v1.Roster/StartSync")
        }
        guard case .service = try schema.lookup("roster.v1.Roster") else { throw LookupFailed() }
        guard case .message(let contact) = try schema.lookup("Contact") else { throw LookupFailed() }
        #expect(contact.fullName == "roster.v1.Contact")
        guard case .enum = try schema.lookup("HealthCheckResponse.ServingStatus") else { throw LookupFailed() }
        #expect(throws: ProtoSchema.LookupError.self) { try schema.lookup("Nope") }
        var a = FileDescriptorProto()
        a.package = "a"
        var message = DescriptorProto()
        message.name = "Thing"
        a.messageType = [message]
        var b = a
        b.package = "b"
        let clash = #expect(throws: ProtoSchema.LookupError.self) { try ProtoSchema(files: [a, b]).lookup("Thing") }
        #expect(clash?.description == "\"Thing\" could be any of a.Thing, b.Thing; give the full name")
        let error = #expect(throws: ProtoSchema.LookupError.self) { try schema.method("roster.v1.Contact") }
        #expect(error?.description == "roster.v1.Contact is not a method")
    }

    @Test("a message reads back in .proto syntax: oneofs, optional, maps, streams")
    func syntax() throws {
        let lookup = try schema.lookup("GetContactRequest")
        #expect(
            schema.syntax(of: lookup) == [
                "// roster.v1.GetContactRequest (roster.proto)", "message GetContactRequest {", "  oneof lookup {",
                "    string id = 1;", "    string mail = 2;", "    string user_principal_name = 3;", "  }",
                "  bool include_directory_values = 4;", "}",
            ]
        )
        let settings = schema.syntax(of: try schema.lookup("UpdateSettingsRequest"))
        #expect(settings.contains("  optional uint32 sync_interval_minutes = 1;"))
        let watch = schema.syntax(of: try schema.lookup("WatchProgress"))
        #expect(
            watch.contains(
                "rpc WatchProgress(roster.v1.WatchProgressRequest) returns (stream roster.v1.ProgressUpdate);"
            )
        )
        #expect(watch.contains("message ProgressUpdate {"))
    }

    struct LookupFailed: Error {}
}
