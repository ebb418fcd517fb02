import Foundation
import RosterStore

/// Runs `body` with a store in a fresh temporary directory holding tenant "t" (its directory at
/// `graphBaseURL`); closes the store and removes the directory afterwards.
func withTemporaryStore<T>(graphBaseURL: String = "https://g", _ body: (SQLiteStore) async throws -> T) async throws
    -> T
{
    let path = NSTemporaryDirectory() + "roster-service-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let store = try SQLiteStore(configuration: .init(directory: path))
    do {
        try await store.createTenant(
            TenantRecord(
                id: "t",
                displayName: "T",
                authorityURL: graphBaseURL == "https://g" ? "https://a" : graphBaseURL,
                graphBaseURL: graphBaseURL,
                createdAt: 1
            )
        )
        let result = try await body(store)
        await store.close()
        return result
    } catch {
        await store.close()
        throw error
    }
}
