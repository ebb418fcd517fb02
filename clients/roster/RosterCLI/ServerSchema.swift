internal import RosterClient
internal import RosterReflection
internal import RosterWire

/// The server's schema, asked by the reflection call (as grpcurl asks a gRPC server), for
/// `roster describe` and `roster call`.
enum ServerSchema {
    /// The schema of the server `client` talks to.
    static func fetch(_ client: RosterClient) async throws -> ProtoSchema {
        let answer = try await client.getFileDescriptorSet()
        do {
            return try ProtoSchema(answer)
        } catch {
            throw CLIFailure(
                "the server's FileDescriptorSet does not decode: \(error)",
                hint: "is rosterd as new as this roster?",
                exitCode: RosterExitCode.failure
            )
        }
    }

    /// What `name` stands for; a usage failure naming what to do when it is nothing or ambiguous.
    static func lookup(_ name: String, in schema: ProtoSchema) throws -> ProtoSchema.Symbol {
        do {
            return try schema.lookup(name)
        } catch {
            throw CLIFailure(error.description, hint: "`roster describe` lists the services and their methods")
        }
    }
}
