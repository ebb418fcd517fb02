import NIOCore
import RosterClient
import RosterRPC
import RosterWire
import Synchronization
import Testing

/// A server that answers every roster.v1.Roster and roster.reflection.v1.Reflection method with a default response, after checking
/// that the request decodes as the method's request type (the router does that), and records
/// which paths were called.
/// The paths a server was called on.
private final class CalledPaths: Sendable {
    let paths = Mutex<[String]>([])
}

private func recordingServer(_ called: CalledPaths) throws -> RPCServer {
    var router = RPCRouter()
    func register<Request: ProtoMessage, Response: ProtoMessage>(
        _ path: String,
        _ request: Request.Type,
        _ response: Response.Type,
        streaming: Bool
    ) {
        if streaming {
            router.serverStreaming(path, request, response) { _, writer, context in
                called.paths.withLock { $0.append(context.method) }
                try await writer.write(Response())
            }
        } else {
            router.unary(path, request, response) { _, context in
                called.paths.withLock { $0.append(context.method) }
                guard context.metadata["authorization"] == "Bearer test-key" else {
                    throw RPCError(.unauthenticated, "missing key")
                }
                return Response()
            }
        }
    }
    for method in ServiceCatalog.methods.values where typedPaths(method.path) {
        let request: any ProtoMessage.Type = method.request
        let response: any ProtoMessage.Type = method.response
        func open<Q: ProtoMessage, R: ProtoMessage>(_ q: Q.Type, _ r: R.Type) {
            register(method.path, q, r, streaming: method.streamsResponses)
        }
        func openRequest<Q: ProtoMessage>(_ q: Q.Type) {
            func openResponse<R: ProtoMessage>(_ r: R.Type) { open(q, r) }
            openResponse(response)
        }
        openRequest(request)
    }
    return try RPCServer(configuration: .init(host: "127.0.0.1", port: 0, tls: nil), router: router)
}

/// The calls `RosterClient` has a typed method for: the Roster service's and reflection's (health is
/// asked through `call(HealthMethods.check, …)`).
private func typedPaths(_ path: String) -> Bool {
    path.hasPrefix("/roster.v1.Roster/") || path.hasPrefix("/roster.reflection.v1.Reflection/")
}

@Suite("Typed client calls")
struct TypedCallTests {
    @Test(
        "every typed method calls its roster.v1.Roster or reflection path with the right request and response types and the API key"
    )
    func everyMethod() async throws {
        let called = CalledPaths()
        let server = try recordingServer(called)
        let port = try await server.start().port!
        let configuration = RosterClientConfiguration(
            host: "127.0.0.1",
            port: port,
            security: .plaintext,
            apiKey: "test-key"
        )
        try await withRosterClient(configuration) { client in
            _ = try await client.connectDirectory(ConnectDirectoryRequest())
            _ = try await client.getStatus()
            _ = try await client.startSync(StartSyncRequest())
            _ = try await client.cancelSync()
            var updates = 0
            for try await _ in try await client.watchProgress() { updates += 1 }
            #expect(updates == 1)
            _ = try await client.listGroups(query: "uk")
            _ = try await client.listContacts(ListContactsRequest())
            _ = try await client.getContact(.mail("zoe@example.com"))
            _ = try await client.listSyncJobs()
            _ = try await client.updateSettings(UpdateSettingsRequest())
            _ = try await client.createAPIKey(role: .reader, label: "x")
            _ = try await client.listAPIKeys()
            _ = try await client.revokeAPIKey(id: "k")
            _ = try await client.contactPhoto(.mail("zoe@example.com"), ifNoneMatch: "\"e\"")
            _ = try await client.listContactChanges(after: 0)
            var changes = 0
            for try await _ in try await client.watchContactChanges(after: 0) { changes += 1 }
            #expect(changes == 1)
            // This server answers empty responses: the methods that return the contact say it is missing.
            let set = await #expect(throws: RosterError.self) {
                try await client.setContactOverride(contactID: "c", field: "job_title", .hidden(true))
            }
            #expect(set?.message == "the server answered SetContactOverride without a contact")
            let clear = await #expect(throws: RosterError.self) {
                try await client.clearContactOverride(contactID: "c", field: "job_title")
            }
            #expect(clear?.message == "the server answered ClearContactOverride without a contact")
            _ = try await client.getFileDescriptorSet()
        }
        let typed = ServiceCatalog.methods.keys.filter(typedPaths)
        #expect(typed.contains(ReflectionMethods.getFileDescriptorSet.path))
        #expect(Set(called.paths.withLock { $0 }) == Set(typed))
        await server.shutdown()
    }

    @Test("a failed call throws a RosterError with the server's code, its message and the call's request id")
    func errors() async throws {
        let called = CalledPaths()
        let server = try recordingServer(called)
        let port = try await server.start().port!
        let configuration = RosterClientConfiguration(
            host: "127.0.0.1",
            port: port,
            security: .plaintext,
            apiKey: "wrong"
        )
        _ = try await withRosterClient(configuration) { client in
            let error = await #expect(throws: RosterError.self) { try await client.getStatus() }
            #expect(error?.code == .unauthenticated)
            #expect(error?.message == "missing key")
            #expect(error?.requestID?.count == 16)
        }
        await server.shutdown()
    }
}
