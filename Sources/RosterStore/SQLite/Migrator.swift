/// Ordered, named schema migrations, tracked by `PRAGMA user_version` (GRDB's `DatabaseMigrator`
/// is the model).
///
/// `user_version` is the number of migrations applied. Each migration runs in its own transaction
/// together with the version bump, so a crash leaves the database at a whole version. Migrations
/// are append-only: once released, a migration's SQL never changes; fix things with a new one.
package struct Migrator: Sendable {
    /// One step of the schema's history.
    package struct Migration: Sendable {
        /// A short name saying what the step does, shown in errors.
        package var name: String
        /// The step's statements, run in the migration's transaction.
        package var apply: @Sendable (Connection) throws(StoreError) -> Void
    }

    /// The migrations in the order they are applied.
    package private(set) var migrations: [Migration] = []

    /// An empty migrator.
    package init() {}

    /// Appends a migration named `name` that runs `sql` (constant schema statements, no bindings).
    package mutating func register(_ name: String, sql: String) {
        migrations.append(Migration(name: name) { connection throws(StoreError) in try connection.execute(sql) })
    }

    /// Appends a migration named `name` that runs Swift code (for data that SQL alone cannot compute).
    package mutating func register(_ name: String, apply: @escaping @Sendable (Connection) throws(StoreError) -> Void) {
        migrations.append(Migration(name: name, apply: apply))
    }

    /// The migrator holding only the first `count` migrations (tests build older schemas with it).
    package func prefix(_ count: Int) -> Migrator {
        var copy = Migrator()
        copy.migrations = Array(migrations.prefix(count))
        return copy
    }

    /// Brings `connection`'s database up to the last migration and returns the names it applied.
    ///
    /// Refuses a database written by a newer Roster (more migrations than this one knows).
    @discardableResult
    package func migrate(_ connection: Connection) throws(StoreError) -> [String] {
        let current = try connection.userVersion
        guard current <= migrations.count else {
            throw .schemaTooNew(connection.path, version: current, known: migrations.count)
        }
        var applied: [String] = []
        for (offset, migration) in migrations.enumerated().dropFirst(current) {
            do {
                try connection.transaction { () throws(StoreError) in
                    try migration.apply(connection)
                    try connection.setUserVersion(offset + 1)
                }
            } catch {
                throw .migrationFailed(number: offset + 1, name: migration.name, cause: error)
            }
            applied.append(migration.name)
        }
        return applied
    }
}
