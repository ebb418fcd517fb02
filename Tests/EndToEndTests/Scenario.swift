import Foundation
import GraphTestDouble
import RosterClient
import RosterDirectory
import RosterRPC
import RosterWire
import Testing

/// One end-to-end setting: the Graph double serving the demo directory on loopback, a real
/// `rosterd` process over TLS, and tenants `acme` and `beta` with keys of every role.
final class Scenario: @unchecked Sendable {
    let double: GraphDouble
    let directory: GraphDoubleDirectory
    let server: RosterdProcess
    let acme: RosterdProcess.TenantKeys
    let beta: RosterdProcess.TenantKeys
    private var clients: [RosterClient] = []

    static let ukStaff = "a6d0c158-fefe-420d-a422-99f8bb3435a4"
    static let europeStaff = "ddff47f8-6f01-4d84-b8ca-b6b35a716d3f"
    static let ukNewsletter = "7c833e6e-858e-40a6-bc82-f2149b6aa6ee"
    static let ukMarketingTeam = "fd0cbf15-74b0-401c-ab2e-1247ebe07548"
    static let ukLaptopPolicy = "8462656e-5c72-475b-b6cf-edfcfe53f3f7"

    private init(
        double: GraphDouble,
        directory: GraphDoubleDirectory,
        server: RosterdProcess,
        acme: RosterdProcess.TenantKeys,
        beta: RosterdProcess.TenantKeys
    ) {
        self.double = double
        self.directory = directory
        self.server = server
        self.acme = acme
        self.beta = beta
    }

    /// Runs `body` with a fresh scenario and tears it down; `serverArguments` go to `rosterd serve`,
    /// `storeArguments` (`--store postgres://…`) to it and to the subcommands that add the tenants.
    /// `beforeStart` runs once the tenants exist and the double runs, before rosterd starts. The
    /// double serves `directory` (default: the demo directory). Without `photos` both tenants sync
    /// none (UpdateSettings `sync_photos: false`): each sync of the demo directory would otherwise
    /// ask the double for 947 photos, which only the tests about photos need.
    static func run(
        serverArguments: [String] = [],
        storeArguments: [String] = [],
        beforeStart: (RosterdProcess, GraphDouble) async throws -> Void = { _, _ in },
        directory given: GraphDoubleDirectory? = nil,
        photos: Bool = false,
        _ body: (Scenario) async throws -> Void
    ) async throws {
        let directory = try given ?? GraphDoubleDirectory(contentsOf: try #require(FileDirectory.demoURL))
        let double = GraphDouble(directory: directory)
        try await double.start()
        let server = try RosterdProcess(extraArguments: serverArguments, storeArguments: storeArguments)
        let scenario = Scenario(
            double: double,
            directory: directory,
            server: server,
            acme: try await server.addTenant("acme"),
            beta: try await server.addTenant("beta")
        )
        do {
            try await beforeStart(server, double)
            try await server.start()
            if !photos {
                var noPhotos = UpdateSettingsRequest()
                noPhotos.syncPhotos = false
                for admin in [scenario.acme.admin, scenario.beta.admin] {
                    _ = try await scenario.client(admin).updateSettings(noPhotos)
                }
            }
            try await body(scenario)
        } catch {
            await scenario.close()
            try? await double.stop()
            throw error
        }
        await scenario.close()
        try await double.stop()
    }

    private func close() async {
        for client in clients { await client.close() }
        clients = []
        await server.terminate()
    }

    /// A client of the server with `key`.
    func client(_ key: String?) throws -> RosterClient {
        let client = try server.client(key: key)
        clients.append(client)
        return client
    }

    /// Restarts the server after a kill or terminate (old clients are closed).
    func restart() async throws {
        for client in clients { await client.close() }
        clients = []
        try await server.start()
    }

    /// ConnectDirectory with the double's credentials.
    @discardableResult
    func connect(_ client: RosterClient, secret: String = "double-secret") async throws -> ConnectDirectoryResponse {
        var request = ConnectDirectoryRequest()
        request.directoryTenantID = "double-tenant"
        request.clientID = "roster-app"
        request.clientSecret = secret
        request.authorityURL = double.baseURL
        request.graphBaseURL = double.baseURL
        return try await client.connectDirectory(request)
    }

    static func allUsers() -> RosterWire.SyncScope {
        var scope = RosterWire.SyncScope()
        scope.kind = .allUsers
        return scope
    }

    static func group(_ id: String) -> RosterWire.SyncScope {
        var scope = RosterWire.SyncScope()
        scope.kind = .group
        scope.groupID = id
        return scope
    }

    static func request(
        _ scope: RosterWire.SyncScope,
        acknowledge: Bool = false,
        dryRun: Bool = false,
        forceFull: Bool = false
    ) -> StartSyncRequest {
        var request = StartSyncRequest()
        request.forceFull = forceFull
        request.scope = scope
        request.acknowledgeRemovals = acknowledge
        request.dryRun = dryRun
        return request
    }

    /// Every update of a job's WatchProgress stream, through its final message.
    func watch(_ client: RosterClient, job: String) async throws -> [ProgressUpdate] {
        var updates: [ProgressUpdate] = []
        for try await update in try await client.watchProgress(jobID: job) { updates.append(update) }
        return updates
    }

    /// Starts a sync and returns the final message of its progress stream.
    func sync(_ client: RosterClient, _ request: StartSyncRequest) async throws -> ProgressUpdate {
        let started = try await client.startSync(request)
        let job = try #require(started.job)
        let final = try #require(try await watch(client, job: job.id).last)
        #expect(final.final)
        return final
    }

    /// Every contact id, through all pages.
    func contactIDs(_ client: RosterClient) async throws -> Set<String> {
        var ids = Set<String>()
        var request = ListContactsRequest()
        request.pageSize = 400
        repeat {
            let page = try await client.listContacts(request)
            ids.formUnion(page.contacts.map(\.id))
            request.pageToken = page.nextPageToken
        } while !request.pageToken.isEmpty
        return ids
    }

    /// The users a group scope may hold: transitive user members of `group` in the double's data.
    func transitiveMembers(of group: String) -> Set<String> {
        let groupIDs = Set(directory.groups.compactMap { $0["id"]?.string })
        var users = Set<String>()
        var seen = Set<String>()
        var pending = [group]
        while let next = pending.popLast() {
            guard seen.insert(next).inserted else { continue }
            for member in directory.members[next] ?? [] {
                if groupIDs.contains(member) { pending.append(member) } else { users.insert(member) }
            }
        }
        return users
    }
}

/// Expects `body` to fail with status `code`; returns the error for further checks.
@discardableResult
func expectStatus(
    _ code: RPCError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> RPCError? {
    do {
        try await body()
        Issue.record("expected \(code), but the call succeeded", sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
