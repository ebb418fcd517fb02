import Foundation
import PostgresTestSupport
import RosterPostgres
import RosterStore
import Testing

/// The `Store` implementations the store's tests run against.
enum StoreKind: String, CaseIterable, Sendable {
    case sqlite, postgres
}

/// A store of either kind, new and empty: SQLite in a fresh temporary directory, PostgreSQL in a
/// fresh database of the test cluster (the suite must hold it: the `.postgresCluster` trait).
struct StoreFixture {
    static let tenant = "tenant-1"

    let kind: StoreKind
    /// SQLite's data directory (PostgreSQL: a directory for nothing but symmetry, also removed).
    let directory: String
    let store: any ClosableStore
    /// The PostgreSQL test database, nil for SQLite.
    let database: String?

    /// Opens a new store of `kind` with one tenant, `tenant-1`. A PostgreSQL test is cancelled
    /// (skipped, with the reason printed) on a machine without PostgreSQL, unless every test must run.
    static func make(
        _ kind: StoreKind = .sqlite,
        migrator: Migrator = RosterSchema.migrator,
        logsChanges: Bool = true
    ) async throws -> StoreFixture {
        let directory = try makeTemporaryDirectory()
        let fixture: StoreFixture
        switch kind {
        case .sqlite:
            var configuration = SQLiteStore.Configuration(directory: directory)
            configuration.logsChanges = logsChanges
            let store = try SQLiteStore(
                configuration: configuration,
                masterKey: try MasterKey.random(),
                migrator: migrator
            )
            fixture = StoreFixture(kind: kind, directory: directory, store: store, database: nil)
        case .postgres:
            var (configuration, database) = try await makePostgresDatabase()
            configuration.logsChanges = logsChanges
            let store = try await PostgresStore.open(configuration: configuration, masterKey: try MasterKey.random())
            fixture = StoreFixture(kind: kind, directory: directory, store: store, database: database)
        }
        if migrator.migrations.count == RosterSchema.migrator.migrations.count {
            try await fixture.store.createTenant(Self.tenantRecord(id: tenant))
        }
        return fixture
    }

    /// A new database in the test cluster and the configuration reaching it.
    static func makePostgresDatabase() async throws -> (PostgresStoreConfiguration, String) {
        if let reason = PostgresCluster.unavailableReason {
            // Swift Testing prints a cancelled test's reason, not a cancelled test case's: say it once here.
            _ = skipNotice
            try Test.cancel(Comment(rawValue: reason))
        }
        return try await PostgresCluster.shared.createStoreDatabase()
    }

    /// Prints, once per run, that the PostgreSQL cases are skipped and why.
    private static let skipNotice: Void = {
        print("PostgreSQL cases of the store tests are skipped: \(PostgresCluster.unavailableReason ?? "")")
    }()

    static func tenantRecord(id: String) -> TenantRecord {
        TenantRecord(
            id: id,
            displayName: "Contoso \(id)",
            authorityURL: "https://login.example",
            graphBaseURL: "https://graph.example/v1.0",
            createdAt: 1_700_000_000_000
        )
    }

    /// Runs `sql` in the PostgreSQL test database with psql (rows one a line, columns split by `|`).
    func psql(_ sql: String) async throws -> String {
        try await PostgresCluster.shared.psql(sql, database: try #require(database))
    }

    /// Closes the store.
    func close() async {
        await store.close()
    }

    /// Closes the store and deletes its directory (a PostgreSQL database goes with its cluster).
    func tearDown() async {
        await close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// Holds the shared PostgreSQL test cluster for the whole suite, so that it stops (and is deleted)
/// once the last suite using it has finished.
struct PostgresClusterTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await PostgresCluster.shared.holding(function)
    }
}

extension Trait where Self == PostgresClusterTrait {
    /// The suite's tests may use the PostgreSQL test cluster.
    static var postgresCluster: Self { Self() }
}

/// A new empty directory under the system's temporary directory.
func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "roster-store-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
