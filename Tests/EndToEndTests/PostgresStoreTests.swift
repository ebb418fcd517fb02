import ChildProcesses
import Foundation
import PostgresTestSupport
import RosterWire
import Testing

/// `rosterd serve --store postgres://…` and the subcommands on the same database, against a
/// throwaway PostgreSQL cluster.
@Suite("End to end: PostgreSQL store", .serialized, .timeLimit(.minutes(10)))
struct PostgresStoreTests {
    @Test("tenants and keys made by the subcommands serve a full sync whose contacts land in PostgreSQL")
    func syncsIntoPostgres() async throws {
        if let reason = PostgresCluster.unavailableReason { try Test.cancel(Comment(rawValue: reason)) }
        try await PostgresCluster.shared.holding {
            let (endpoint, database) = try await PostgresCluster.shared.createDatabase()
            let url = "postgres://\(endpoint.user)@\(endpoint.host):\(endpoint.port)/\(database)"
            try await Scenario.run(storeArguments: ["--store", url]) { scenario in
                let admin = try scenario.client(scenario.acme.admin)
                try await scenario.connect(admin)
                let all = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
                #expect(all.state == .succeeded)
                let ids = try await scenario.contactIDs(admin)
                #expect(!ids.isEmpty)
                #expect(Int64(ids.count) == all.summary?.totalContacts)
                let stored = try await PostgresCluster.shared.psql(
                    "SELECT count(*) FROM contacts WHERE tenant_id = 'acme'",
                    database: database
                )
                #expect(stored == "\(ids.count)")
                #expect(!FileManager.default.fileExists(atPath: scenario.server.dataDirectory + "/roster.sqlite"))
                let beta = try scenario.client(scenario.beta.reader)
                #expect(try await scenario.contactIDs(beta).isEmpty)
                let keys = try await RosterdProcess.run(
                    ["keys", "list", "--tenant", "acme", "--data-dir", scenario.server.dataDirectory, "--store", url]
                )
                #expect(keys.contains("\treader\tactive"))
            }
        }
    }

    @Test("the configuration file's store key opens PostgreSQL; its mistakes are configuration errors (exit 64)")
    func storeFromConfigurationFile() async throws {
        if let reason = PostgresCluster.unavailableReason { try Test.cancel(Comment(rawValue: reason)) }
        let directory = NSTemporaryDirectory() + "rosterd-store-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        @Sendable func config(_ json: String) throws -> String {
            let path = directory + "/config-\(UUID().uuidString).json"
            try json.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let withPassword = try await LogFormatTests.refused([
            "--config", try config(#"{"store": {"url": "postgres://roster:hunter2@127.0.0.1:5432/roster"}}"#),
        ])
        #expect(withPassword.status == 64, "\(withPassword.outputText)")
        #expect(withPassword.outputText.contains("ROSTERD_STORE_PASSWORD"))
        #expect(!withPassword.outputText.contains("hunter2"))
        let leaseAlone = try await LogFormatTests.refused([
            "--config", try config(#"{"store": {"jobLeaseSeconds": 5}}"#),
        ])
        #expect(leaseAlone.status == 64, "\(leaseAlone.outputText)")
        #expect(leaseAlone.outputText.contains("is for a PostgreSQL store"))
        let streamedAlone = try await LogFormatTests.refused([
            "--config", try config(#"{"store": {"streamedApplies": 2}}"#),
        ])
        #expect(streamedAlone.status == 64, "\(streamedAlone.outputText)")
        #expect(streamedAlone.outputText.contains("are for a PostgreSQL store"))
        let negative = try await LogFormatTests.refused([
            "--config", try config(#"{"store": {"url": "postgres://roster@127.0.0.1:5432/roster"}}"#),
            "--streamed-applies=-1",
        ])
        #expect(negative.status == 64, "\(negative.outputText)")
        #expect(negative.outputText.contains("give 0 or more"))

        try await PostgresCluster.shared.holding {
            let (endpoint, database) = try await PostgresCluster.shared.createDatabase()
            let url = "postgres://\(endpoint.user)@\(endpoint.host):\(endpoint.port)/\(database)"
            let file = try config(#"{"store": {"url": "\#(url)", "jobLeaseSeconds": 5}}"#)
            let server = try RosterdProcess(extraArguments: ["--config", file])
            try FileManager.default.createDirectory(atPath: server.dataDirectory, withIntermediateDirectories: true)
            try await server.start()
            let migrated = try await PostgresCluster.shared.psql(
                "SELECT count(*) > 0 FROM roster_schema_migrations",
                database: database
            )
            #expect(migrated == "t", "rosterd did not open the configured PostgreSQL store")
            #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/roster.sqlite"))
            await server.terminate()
        }
    }

    @Test("a store URL holding a password is refused before anything opens, without repeating the password")
    func refusesPasswordInURL() async throws {
        let outcome = try await ChildProcess(
            try RosterdProcess.binaryPath(),
            ["tenants", "list", "--store", "postgres://roster:hunter2@127.0.0.1:5432/roster"],
            mergingErrors: true
        ).run()
        #expect(outcome.status != 0)
        #expect(outcome.outputText.contains("ROSTERD_STORE_PASSWORD"))
        #expect(!outcome.outputText.contains("hunter2"))
    }

    @Test("a store password file others may read is refused with the chmod to run; a password given twice is refused")
    func refusesOpenPasswordFile() async throws {
        let path = NSTemporaryDirectory() + "roster-store-password-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "hunter2\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        let store = ["--store", "postgres://roster@127.0.0.1:5432/roster"]
        let open = try await ChildProcess(
            try RosterdProcess.binaryPath(),
            ["tenants", "list", "--store-password-file", path] + store,
            mergingErrors: true
        ).run()
        #expect(open.status != 0)
        #expect(open.outputText.contains("chmod 600 \(path)"))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        var environment = ProcessInfo.processInfo.environment
        environment["ROSTERD_STORE_PASSWORD"] = "hunter2"
        let twice = try await ChildProcess(
            try RosterdProcess.binaryPath(),
            ["tenants", "list", "--store-password-file", path] + store,
            environment: environment,
            mergingErrors: true
        ).run()
        #expect(twice.status != 0)
        #expect(twice.outputText.contains("keep one of them"))
        #expect(!twice.outputText.contains("hunter2"))
    }
}
