import ChildProcesses
import Foundation
import GraphTestDouble
import PostgresTestSupport
import RosterClient
import RosterStore
import RosterWire
import Testing

/// `rosterd migrate-store`: a server on SQLite moves to PostgreSQL, and a rosterd on PostgreSQL
/// (with the same master.key) serves what it held.
@Suite("End to end: migrate-store", .serialized, .timeLimit(.minutes(10)))
struct MigrateStoreTests {
    @Test("refused while the SQLite server runs; once stopped, its keys, contacts and delta link serve from PostgreSQL")
    func movesToPostgres() async throws {
        if let reason = PostgresCluster.unavailableReason { try Test.cancel(Comment(rawValue: reason)) }
        try await PostgresCluster.shared.holding {
            let (endpoint, database) = try await PostgresCluster.shared.createDatabase()
            let url = "postgres://\(endpoint.user)@\(endpoint.host):\(endpoint.port)/\(database)"
            try await Scenario.run { scenario in
                let admin = try scenario.client(scenario.acme.admin)
                try await scenario.connect(admin)
                #expect(try await scenario.sync(admin, Scenario.request(Scenario.allUsers())).state == .succeeded)
                let reader = try scenario.client(scenario.acme.reader)
                let someone = try #require(
                    try await reader.listContacts(ListContactsRequest()).contacts.first { !$0.mail.isEmpty }
                )
                let revoked = try await Self.revokeEditorKey(of: scenario)
                let data = scenario.server.dataDirectory

                let running = try await Self.migrate(from: data, to: url)
                #expect(running.status == 1)
                #expect(running.outputText.contains("is serving \(data); stop it"), "\(running.outputText)")
                let untouched = try await PostgresCluster.shared.psql(
                    "SELECT to_regclass('tenants') IS NULL",
                    database: database
                )
                #expect(untouched == "t", "nothing is opened while the source runs")

                await scenario.server.terminate()
                #expect(scenario.double.updateUser(id: someone.id, ["jobTitle": "Chief Migration Officer"]))
                let output = try await RosterdProcess.run(["migrate-store", "--from", data, "--to", url])
                #expect(
                    output.contains("copied 2 tenants (1 sealed client secret), 7 API keys (1 revoked)"),
                    "\(output)"
                )
                #expect(output.contains("tenant acme: \(try await Self.contactCount(database, "acme")) contacts"))
                #expect(output.contains("\(data)/master.key"))
                let again = try await Self.migrate(from: data, to: url)
                #expect(again.status == 1)
                #expect(again.outputText.contains("already holds 2 tenants (acme, beta)"), "\(again.outputText)")

                let sqliteLink = try await Self.deltaLink(inDataDirectory: data)
                let earlierRequests = scenario.double.requests.count
                try await Self.withReplica(url: url, masterKeyFrom: data) { client in
                    let replicaReader = try client(scenario.acme.reader)
                    #expect(try await replicaReader.getContact(mail: someone.mail) == someone)
                    await expectStatus(.unauthenticated) {
                        _ = try await client(revoked).listContacts(ListContactsRequest())
                    }
                    let replicaAdmin = try client(scenario.acme.admin)
                    let delta = try await replicaAdmin.startSync(Scenario.request(Scenario.allUsers()))
                    #expect(delta.job?.mode == .delta)
                    var final: ProgressUpdate?
                    for try await update in try await replicaAdmin.watchProgress(jobID: try #require(delta.job?.id)) {
                        final = update
                    }
                    #expect(final?.state == .succeeded)
                    #expect(final?.summary?.updated == 1)
                    #expect(try await replicaReader.getContact(id: someone.id).jobTitle == "Chief Migration Officer")
                }
                // The delta round asked Graph with the link the SQLite store held (its token).
                let token = try #require(
                    URLComponents(string: sqliteLink)?.queryItems?.first { $0.name == "$deltatoken" }?.value
                )
                #expect(
                    scenario.double.requests.dropFirst(earlierRequests).contains {
                        $0.path == "/v1.0/users/delta" && $0.query["$deltatoken"] == token
                    }
                )
            }
        }
    }

    @Test("wrong options exit 64 before anything opens: no SQLite store at --from, a password in the URL")
    func wrongOptions() async throws {
        let empty = NSTemporaryDirectory() + "rosterd-migrate-empty-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let noStore = try await Self.migrate(from: empty, to: "postgres://roster@127.0.0.1:1/roster")
        #expect(noStore.status == 64)
        #expect(noStore.outputText.contains("no SQLite store at \(empty)/roster.sqlite"), "\(noStore.outputText)")
        #expect(!FileManager.default.fileExists(atPath: empty + "/roster.sqlite"), "the source is never created")
        let password = try await Self.migrate(from: empty, to: "postgres://roster:hunter2@127.0.0.1:1/roster")
        #expect(password.status == 64)
        #expect(password.outputText.contains("ROSTERD_STORE_PASSWORD"))
        #expect(!password.outputText.contains("hunter2"))
    }

    /// Runs `rosterd migrate-store --from source --to url`, whatever its exit status.
    private static func migrate(from source: String, to url: String) async throws -> ChildProcess.Outcome {
        try await ChildProcess(
            try RosterdProcess.binaryPath(),
            ["migrate-store", "--from", source, "--to", url],
            mergingErrors: true
        ).run()
    }

    /// Mints an editor key of acme with `rosterd keys` and revokes it; returns its token.
    private static func revokeEditorKey(of scenario: Scenario) async throws -> String {
        let data = scenario.server.dataDirectory
        let created = try await RosterdProcess.run(
            ["keys", "create", "--tenant", "acme", "--role", "editor", "--label", "gone", "--data-dir", data]
        )
        let token = try #require(created.split(separator: "\n").last.map(String.init))
        let id = try #require(token.split(separator: "_").dropFirst().first.map(String.init))
        try await RosterdProcess.run(["keys", "revoke", id, "--tenant", "acme", "--data-dir", data])
        return token
    }

    private static func contactCount(_ database: String, _ tenant: String) async throws -> String {
        try await PostgresCluster.shared.psql(
            "SELECT count(*) FROM contacts WHERE tenant_id = '\(tenant)'",
            database: database
        )
    }

    /// The delta link acme's row holds in the SQLite store of `directory` (the server is stopped).
    private static func deltaLink(inDataDirectory directory: String) async throws -> String {
        let store = try SQLiteStore(configuration: .init(directory: directory))
        let link = try await store.tenant(id: "acme")?.deltaLink
        await store.close()
        return try #require(link)
    }

    /// Runs `body` with a rosterd on the PostgreSQL store `url`, in a data directory of its own
    /// holding a copy of `masterKeyFrom`'s master.key (as the README tells operators to set one
    /// up); `body` makes clients of it by key, closed afterwards.
    private static func withReplica(
        url: String,
        masterKeyFrom source: String,
        _ body: (_ client: (String) throws -> RosterClient) async throws -> Void
    ) async throws {
        let replica = try RosterdProcess(storeArguments: ["--store", url])
        try FileManager.default.createDirectory(atPath: replica.dataDirectory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: source + "/" + MasterKey.fileName,
            toPath: replica.dataDirectory + "/" + MasterKey.fileName
        )
        try await replica.start()
        var clients: [RosterClient] = []
        let outcome: Result<Void, any Error>
        do {
            try await body { key in
                let client = try replica.client(key: key)
                clients.append(client)
                return client
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        for client in clients { await client.close() }
        await replica.terminate()
        try outcome.get()
    }
}
