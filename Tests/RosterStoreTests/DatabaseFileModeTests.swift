import Foundation
import RosterStore
import Testing

/// The database, its WAL and its shared-memory file are readable by the owner only.
@Suite("Database file mode")
struct DatabaseFileModeTests {
    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    @Test("a new database and the WAL and -shm files SQLite creates beside it are 0600")
    func newDatabase() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(configuration: .init(directory: directory))
        try await store.createTenant(
            TenantRecord(id: "t", displayName: "T", authorityURL: "https://a", graphBaseURL: "https://g", createdAt: 1)
        )
        let database = directory + "/roster.sqlite"
        for file in [database, database + "-wal", database + "-shm"] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file)")
            #expect(try Self.mode(file) == 0o600, "\(file)")
        }
        await store.close()
    }

    @Test("an existing database readable by others is made 0600 when the store opens it")
    func existingDatabaseTightened() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/roster.sqlite"
        await (try SQLiteStore(configuration: .init(directory: directory))).close()
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: database)
        #expect(try Self.mode(database) == 0o644)
        let store = try SQLiteStore(configuration: .init(directory: directory))
        #expect(try Self.mode(database) == 0o600)
        #expect(try await store.tenants().isEmpty, "the database still opens and reads")
        await store.close()
    }
}
