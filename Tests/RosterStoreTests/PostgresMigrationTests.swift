import PostgresTestSupport
import RosterPostgres
import RosterStore
import Testing

@Suite("PostgreSQL migrations", .postgresCluster)
struct PostgresMigrationTests {
    /// The schema as PostgreSQL describes it: every column (type, collation, nullability, default),
    /// index, constraint and table persistence of the public schema.
    static func schema(_ database: String) async throws -> String {
        let queries = [
            """
            SELECT table_name, column_name, data_type, coalesce(collation_name, ''), is_nullable,
                coalesce(column_default, ''), is_identity
            FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name
            """,
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
            """
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace = 'public'::regnamespace ORDER BY conname
            """,
            """
            SELECT relname, relpersistence FROM pg_class
            WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname
            """,
        ]
        var parts: [String] = []
        for query in queries { parts.append(try await PostgresCluster.shared.psql(query, database: database)) }
        return parts.joined(separator: "\n")
    }

    static func versions(_ database: String) async throws -> String {
        try await PostgresCluster.shared.psql(
            "SELECT version, name FROM roster_schema_migrations ORDER BY version",
            database: database
        )
    }

    @Test("an empty database is migrated to the latest version, and reopening applies nothing")
    func fromEmpty() async throws {
        let (configuration, database) = try await StoreFixture.makePostgresDatabase()
        let key = try MasterKey.random()
        await (try await PostgresStore.open(configuration: configuration, masterKey: key)).close()
        let expected = PostgresSchema.migrator.names.enumerated().map { "\($0.offset + 1)|\($0.element)" }
        #expect(try await Self.versions(database) == expected.joined(separator: "\n"))
        let schema = try await Self.schema(database)
        await (try await PostgresStore.open(configuration: configuration, masterKey: key)).close()
        #expect(try await Self.versions(database) == expected.joined(separator: "\n"))
        #expect(try await Self.schema(database) == schema)
    }

    @Test("a database at every earlier version migrates to the same schema as a fresh one, keeping its data")
    func fromEveryEarlierVersion() async throws {
        let (freshConfiguration, fresh) = try await StoreFixture.makePostgresDatabase()
        let key = try MasterKey.random()
        await (try await PostgresStore.open(configuration: freshConfiguration, masterKey: key)).close()
        let expected = try await Self.schema(fresh)
        let total = PostgresSchema.migrator.count
        #expect(total >= 2)
        for version in 1..<total {
            let (configuration, database) = try await StoreFixture.makePostgresDatabase()
            let old = try await PostgresStore.open(
                configuration: configuration,
                masterKey: key,
                migrator: PostgresSchema.migrator.prefix(version)
            )
            await old.close()
            // Data written under the old schema (the version 1 tables exist at every version).
            _ = try await PostgresCluster.shared.psql(
                """
                INSERT INTO tenants (id, display_name, authority_url, graph_base_url, created_at)
                    VALUES ('t', 'T', 'https://a', 'https://g', 1);
                INSERT INTO contacts (tenant_id, id, display_name, mail, changed_at)
                    VALUES ('t', 'c1', 'Zoë', 'Zoe@Contoso.example', 1);
                """,
                database: database
            )
            let store = try await PostgresStore.open(configuration: configuration, masterKey: key)
            #expect(try await store.contact(tenant: "t", id: "c1")?.displayName == "Zoë")
            #expect(try await store.contact(tenant: "t", address: "ZOE@contoso.EXAMPLE")?.id == "c1")
            await store.close()
            #expect(try await Self.schema(database) == expected, "schema after migrating from version \(version)")
            #expect(try await Self.versions(database) == (try await Self.versions(fresh)))
        }
    }

    @Test("a database written by a newer version is refused with a message saying what to do")
    func refusesNewer() async throws {
        let (configuration, database) = try await StoreFixture.makePostgresDatabase()
        let key = try MasterKey.random()
        await (try await PostgresStore.open(configuration: configuration, masterKey: key)).close()
        _ = try await PostgresCluster.shared.psql(
            "INSERT INTO roster_schema_migrations (version, name) VALUES (\(PostgresSchema.migrator.count + 1), 'future')",
            database: database
        )
        let error = await #expect(throws: StoreError.self) {
            _ = try await PostgresStore.open(configuration: configuration, masterKey: key)
        }
        #expect(error?.code == .migration)
        #expect(error?.message.contains("newer rosterd") == true)
    }

    @Test("a failing migration rolls back entirely and leaves the version where it was")
    func failingMigrationRollsBack() async throws {
        let (configuration, database) = try await StoreFixture.makePostgresDatabase()
        var migrator = PostgresMigrator()
        migrator.register("create a", statements: ["CREATE TABLE a (x INTEGER)"])
        migrator.register(
            "create b, then fail",
            statements: ["CREATE TABLE b (x INTEGER)", "INSERT INTO missing VALUES (1)"]
        )
        let error = await #expect(throws: StoreError.self) {
            _ = try await PostgresStore.open(
                configuration: configuration,
                masterKey: try MasterKey.random(),
                migrator: migrator
            )
        }
        #expect(error?.code == .migration)
        #expect(error?.message.contains("create b, then fail") == true)
        #expect(try await Self.versions(database) == "1|create a")
        #expect(try await PostgresCluster.shared.psql("SELECT to_regclass('b') IS NULL", database: database) == "t")
    }

    @Test("an unreachable server fails the open at once, naming the address and what to check")
    func unreachable() async throws {
        // Port 1 on loopback: nothing listens there, and the connection is refused at once.
        let configuration = PostgresStoreConfiguration(
            host: "127.0.0.1",
            port: 1,
            username: "roster",
            database: "roster"
        )
        let error = await #expect(throws: StoreError.self) {
            _ = try await PostgresStore.open(configuration: configuration, masterKey: try MasterKey.random())
        }
        #expect(error?.code == .database)
        #expect(error?.message.contains("postgres://roster@127.0.0.1:1/roster") == true)
        #expect(error?.message.contains("check that the server is running") == true)
    }
}

@Suite("PostgreSQL store address")
struct PostgresStoreAddressTests {
    @Test("a postgres:// URL gives the user, host, port, database and TLS mode")
    func parses() throws {
        let configuration = try PostgresStoreConfiguration(
            url: "postgres://roster@db.example:6543/contacts?sslmode=require"
        )
        #expect(configuration.username == "roster")
        #expect(configuration.host == "db.example")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "contacts")
        #expect(configuration.tls == .require)
        #expect(configuration.password == nil)
        let defaults = try PostgresStoreConfiguration(url: "postgresql://roster@localhost/roster")
        #expect(defaults.port == 5432)
        #expect(defaults.tls == .disable)
        #expect(try PostgresStoreConfiguration(url: "postgres://r@h/d?sslmode=verify-full").tls == .verifyFull)
    }

    @Test("a URL holding a password is refused without repeating it, and says where the password goes")
    func refusesPassword() {
        let error = #expect(throws: StoreError.self) {
            _ = try PostgresStoreConfiguration(url: "postgres://roster:hunter2@db.example/roster")
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("ROSTERD_STORE_PASSWORD") == true)
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test(
        "malformed URLs are refused with the expected form",
        arguments: [
            "mysql://roster@db/roster", "postgres://db.example/roster", "postgres://roster@db.example",
            "postgres://roster@db.example/roster?sslmode=sometimes", "postgres://roster@db.example/roster?pool=9",
        ]
    )
    func refusesMalformed(url: String) {
        let error = #expect(throws: StoreError.self) { _ = try PostgresStoreConfiguration(url: url) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("postgres://USER@HOST:PORT/DATABASE") == true)
    }

    @Test("the description names the store but never its password")
    func descriptionHidesPassword() {
        var configuration = PostgresStoreConfiguration(host: "db", username: "roster", database: "roster")
        configuration.password = "hunter2"
        #expect(configuration.description == "postgres://roster@db:5432/roster")
    }
}
