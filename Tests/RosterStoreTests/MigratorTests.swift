import Foundation
import RosterStore
import Testing

@Suite("Migrator")
struct MigratorTests {
    /// The schema as SQLite describes it: every table, index and column definition.
    static func schema(_ path: String) throws -> String {
        let connection = try Connection(path: path, readOnly: true, busyTimeoutMilliseconds: 1_000)
        let select = try connection.cached("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        var lines: [String] = []
        while try select.step() {
            lines.append("\(select.string(0) ?? "") \(select.string(1) ?? "") \(select.string(2) ?? "")")
        }
        return lines.joined(separator: "\n")
    }

    @Test("an empty database is migrated to the latest version, and reopening applies nothing")
    func fromEmpty() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let connection = try Connection(path: directory + "/db", readOnly: false, busyTimeoutMilliseconds: 1_000)
        let applied = try RosterSchema.migrator.migrate(connection)
        #expect(applied.count == RosterSchema.migrator.migrations.count)
        #expect(try connection.userVersion == RosterSchema.migrator.migrations.count)
        #expect(try RosterSchema.migrator.migrate(connection).isEmpty)
    }

    @Test("a database at every earlier version migrates to the same schema as a fresh one, keeping its data")
    func fromEveryEarlierVersion() async throws {
        let fresh = try await StoreFixture.make()
        await fresh.close()
        let expected = try Self.schema(fresh.directory + "/roster.sqlite")
        let total = RosterSchema.migrator.migrations.count
        #expect(total >= 3)
        for version in 1..<total {
            let directory = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let path = directory + "/roster.sqlite"
            let old = try Connection(path: path, readOnly: false, busyTimeoutMilliseconds: 1_000)
            try RosterSchema.migrator.prefix(version).migrate(old)
            // Data written under the old schema (the v1 columns exist at every version).
            try old.execute(
                """
                INSERT INTO tenants (id, display_name, authority_url, graph_base_url, created_at)
                    VALUES ('t', 'T', 'https://a', 'https://g', 1);
                INSERT INTO groups (tenant_id, id, display_name, folded_name, mail, mail_enabled, security_enabled, kind, refreshed_at)
                    VALUES ('t', 'g1', 'Europe Staff', 'europe staff', 'Europe@Contoso.example', 1, 1, 'mailEnabledSecurity', 1);
                INSERT INTO groups (tenant_id, id, display_name, folded_name, mail, mail_enabled, security_enabled, kind, refreshed_at)
                    VALUES ('t', 'g2', 'O''Brien''s Team', 'o''brien''s team', NULL, 1, 1, 'mailEnabledSecurity', 1);
                INSERT INTO contacts (tenant_id, id, display_name, changed_at) VALUES ('t', 'c1', 'Zoë', 1);
                """
            )
            #expect(try old.userVersion == version)
            let store = try SQLiteStore(
                configuration: .init(directory: directory),
                masterKey: try MasterKey.random(),
                migrator: RosterSchema.migrator
            )
            #expect(try await store.contact(tenant: "t", id: "c1")?.displayName == "Zoë")
            // Migration 6 folded the groups stored before it again (apostrophes dropped, the name
            // from each word on), whatever an earlier version had written.
            if version < 6 {
                #expect(try await store.searchGroups(tenant: "t", query: "staff", limit: 5).map(\.id) == ["g1"])
                #expect(try await store.searchGroups(tenant: "t", query: "europe@", limit: 5).map(\.id) == ["g1"])
                for query in ["obrien", "o'b", "O’Brien's t", "team"] {
                    #expect(
                        try await store.searchGroups(tenant: "t", query: query, limit: 5).map(\.id) == ["g2"],
                        "\(query) from version \(version)"
                    )
                }
            }
            await store.close()
            #expect(try Self.schema(path) == expected, "schema after migrating from version \(version)")
        }
        await fresh.tearDown()
    }

    @Test("a database written by a newer version is refused with a message saying what to do")
    func refusesNewer() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let connection = try Connection(path: directory + "/db", readOnly: false, busyTimeoutMilliseconds: 1_000)
        try connection.setUserVersion(RosterSchema.migrator.migrations.count + 1)
        let error = #expect(throws: StoreError.self) { try RosterSchema.migrator.migrate(connection) }
        #expect(error?.code == .migration)
        #expect(error?.message.contains("newer rosterd") == true)
    }

    @Test("a failing migration rolls back entirely and leaves the version where it was")
    func failingMigrationRollsBack() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let connection = try Connection(path: directory + "/db", readOnly: false, busyTimeoutMilliseconds: 1_000)
        var migrator = Migrator()
        migrator.register("create a", sql: "CREATE TABLE a (x INTEGER)")
        migrator.register("create b, then fail", sql: "CREATE TABLE b (x INTEGER); INSERT INTO missing VALUES (1)")
        let error = #expect(throws: StoreError.self) { try migrator.migrate(connection) }
        #expect(error?.message.contains("create b, then fail") == true)
        #expect(try connection.userVersion == 1)
        let tables = try connection.cached("SELECT count(*) FROM sqlite_master WHERE name = 'b'")
        try tables.step()
        #expect(tables.int(0) == 0)
    }
}
