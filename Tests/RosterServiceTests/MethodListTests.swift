import Foundation
import RosterDirectory
import RosterRPC
import RosterService
import RosterStore
import RosterSync
import RosterWire
import Synchronization
import Testing

/// A call is declared once (`RosterMethods`); the catalog, the service's router and
/// proto/roster.proto must list the same calls, with the same types and shapes.
@Suite("The list of calls")
struct MethodListTests {
    /// One `rpc` line of a .proto service: name, request, whether it streams, response.
    struct ProtoRPC: Hashable, CustomStringConvertible {
        var name: String
        var request: String
        var streams: Bool
        var response: String
        var description: String { "\(name)(\(request)) returns (\(streams ? "stream " : "")\(response))" }
    }

    static func protoRPCs() throws -> [ProtoRPC] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("proto/roster.proto"), encoding: .utf8)
        let rpc = #/rpc\s+(\w+)\s*\(\s*(\w+)\s*\)\s*returns\s*\(\s*(stream\s+)?(\w+)\s*\)/#
        return text.matches(of: rpc).map { match in
            ProtoRPC(
                name: String(match.1),
                request: String(match.2),
                streams: match.3 != nil,
                response: String(match.4)
            )
        }
    }

    static func declared() -> [ProtoRPC] {
        func shortName(_ type: any ProtoMessage.Type) -> String {
            String(type.protoMessageName.dropFirst("roster.v1.".count))
        }
        func entry<M: RPCMethodDescriptor>(_ method: M) -> ProtoRPC {
            ProtoRPC(
                name: method.name,
                request: shortName(M.Request.self),
                streams: method.streamsResponses,
                response: shortName(M.Response.self)
            )
        }
        return RosterMethods.all.map { entry($0) }
    }

    @Test("RosterMethods declares exactly the rpcs of proto/roster.proto, in its order, with its types")
    func descriptorsMatchProto() throws {
        let proto = try Self.protoRPCs()
        #expect(proto.count >= 10, "the parser found the service's rpcs")
        #expect(Self.declared() == proto)
        #expect(RosterMethods.all.allSatisfy { $0.service == "roster.v1.Roster" })
    }

    @Test("the catalog (roster-wire's dump) lists every declared call, with the declared types")
    func catalogMatchesDescriptors() {
        let catalog = ServiceCatalog.methods.values.filter { $0.path.hasPrefix("/roster.v1.Roster/") }
        #expect(Set(catalog.map(\.path)) == Set(RosterMethods.all.map(\.path)))
        for method in RosterMethods.all {
            let entry = ServiceCatalog.methods[method.path]
            #expect(entry?.streamsResponses == method.streamsResponses, "\(method.path)")
        }
    }

    @Test("RosterService registers a handler for every declared call and no other, and reflection's apart")
    func routerMatchesDescriptors() async throws {
        try await withTemporaryStore { store in
            let connector = DirectoryConnector()
            let jobs = JobManager(
                store: store,
                configuration: .init(directories: { tenant, onThrottle in
                    try await connector.directory(tenant: tenant, store: store, onThrottle: onThrottle)
                })
            )
            let service = RosterService(store: store, jobs: jobs, connector: connector)
            var router = RPCRouter()
            service.register(into: &router)
            #expect(router.paths == RosterMethods.all.map(\.path).sorted())

            var reflection = RPCRouter()
            service.registerReflection(into: &reflection)
            #expect(reflection.paths == ReflectionMethods.all.map(\.path))
        }
    }
}

@Suite("API key expiry")
struct APIKeyExpiryTests {
    @Test("a key past its expiry is refused as UNAUTHENTICATED saying it expired; before, it authenticates")
    func expired() async throws {
        try await withTemporaryStore { store in
            let (key, token) = try await store.createAPIKey(
                tenant: "t",
                role: .reader,
                label: "short-lived",
                now: 1_000,
                expiresAt: 2_000
            )
            let clock = Mutex<Int64>(1_500)
            let authenticator = Authenticator(store: store, cacheTTL: .seconds(60), now: { clock.withLock { $0 } })
            let caller = try await authenticator.caller(metadata: ["authorization": "Bearer \(token)"])
            #expect(caller.keyID == key.id)
            #expect(authenticator.lastUse[key.id] == 1_500)
            clock.withLock { $0 = 2_000 }
            do {
                _ = try await authenticator.caller(metadata: ["authorization": "Bearer \(token)"])
                Issue.record("an expired key authenticated")
            } catch let error as RPCError {
                #expect(error.code == .unauthenticated)
                #expect(
                    error.message.contains("the API key \(key.id) expired at 1970-01-01T00:00:02Z"),
                    "\(error.message)"
                )
            }
            await authenticator.flushUse()
            #expect(try await store.apiKeys(tenant: "t").first?.lastUsedAt == 1_500)
        }
    }
}
