internal import RosterStore

/// Ordered, named schema migrations of a PostgreSQL store, recorded in `roster_schema_migrations`
/// (one row per applied migration).
///
/// Each migration runs in its own transaction together with its row, so a failure leaves the
/// database at a whole version. Migrations are append-only, as SQLite's (``Migrator``). Two
/// `rosterd` starting at once take turns: the whole run holds a session advisory lock.
package struct PostgresMigrator: Sendable {
    /// One step of the schema's history.
    struct Migration: Sendable {
        var name: String
        var apply: @Sendable (SQLSession) async throws(StoreError) -> Void
    }

    /// The key of the advisory lock held while migrating ("Roster" in ASCII).
    static let lockKey: Int64 = 0x526F_7374_6572

    private(set) var migrations: [Migration] = []

    /// An empty migrator.
    package init() {}

    /// How many migrations there are.
    package var count: Int { migrations.count }

    /// The migrations' names, oldest first.
    package var names: [String] { migrations.map(\.name) }

    /// Appends a migration named `name` that runs `statements` in order (constant DDL, no bindings;
    /// one statement each, since the extended protocol takes one at a time).
    package mutating func register(_ name: String, statements: [String]) {
        migrations.append(
            Migration(name: name) { session throws(StoreError) in
                for statement in statements { try await session.rows(statement) }
            }
        )
    }

    /// The migrator holding only the first `count` migrations (tests build older schemas with it).
    package func prefix(_ count: Int) -> PostgresMigrator {
        var copy = PostgresMigrator()
        copy.migrations = Array(migrations.prefix(count))
        return copy
    }

    /// Brings the database of `session` (one connection) up to the last migration and returns
    /// the names it applied. Refuses a database written by a newer Roster.
    func migrate(_ session: SQLSession, database: String) async throws(StoreError) -> [String] {
        try await session.rows("SELECT pg_advisory_lock($1)", [.integer(Self.lockKey)])
        do {
            let applied = try await migrateLocked(session, database: database)
            try await session.rows("SELECT pg_advisory_unlock($1)", [.integer(Self.lockKey)])
            return applied
        } catch {
            _ = try? await session.rows("SELECT pg_advisory_unlock($1)", [.integer(Self.lockKey)])
            throw error
        }
    }

    private func migrateLocked(_ session: SQLSession, database: String) async throws(StoreError) -> [String] {
        try await session.rows(
            """
            CREATE TABLE IF NOT EXISTS roster_schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
            )
            """
        )
        let current = try await session.integer(
            "SELECT coalesce(max(version), 0)::bigint FROM roster_schema_migrations"
        )
        guard current <= migrations.count else {
            throw .schemaTooNew(database, version: current, known: migrations.count)
        }
        var applied: [String] = []
        for (offset, migration) in migrations.enumerated().dropFirst(current) {
            do {
                try await session.transaction { session throws(StoreError) in
                    try await migration.apply(session)
                    try await session.rows(
                        "INSERT INTO roster_schema_migrations (version, name) VALUES ($1, $2)",
                        [.int(offset + 1), .text(migration.name)]
                    )
                }
            } catch {
                throw .migrationFailed(number: offset + 1, name: migration.name, cause: error)
            }
            applied.append(migration.name)
        }
        return applied
    }
}
