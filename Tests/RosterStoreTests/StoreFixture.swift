import Foundation
import RosterStore

/// A store in a fresh temporary directory, removed when the test ends.
struct StoreFixture {
    static let tenant = "tenant-1"

    let directory: String
    let store: SQLiteStore

    /// Opens a new store with one tenant, `tenant-1`.
    static func make(migrator: Migrator = RosterSchema.migrator) async throws -> StoreFixture {
        let directory = try makeTemporaryDirectory()
        let store = try SQLiteStore(
            configuration: .init(directory: directory),
            masterKey: try MasterKey.random(),
            migrator: migrator
        )
        let fixture = StoreFixture(directory: directory, store: store)
        if migrator.migrations.count == RosterSchema.migrator.migrations.count {
            try await store.createTenant(Self.tenantRecord(id: tenant))
        }
        return fixture
    }

    static func tenantRecord(id: String) -> TenantRecord {
        TenantRecord(
            id: id,
            displayName: "Contoso \(id)",
            authorityURL: "https://login.example",
            graphBaseURL: "https://graph.example/v1.0",
            createdAt: 1_700_000_000_000
        )
    }

    /// Closes the store and deletes its directory.
    func tearDown() async {
        await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// A new empty directory under the system's temporary directory.
func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "roster-store-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
