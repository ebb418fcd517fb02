// The errors of a schema migration, worded the same for every engine.
extension StoreError {
    /// The database at `location` is at `version`, past the `known` migrations of this rosterd.
    package static func schemaTooNew(_ location: String, version: Int, known: Int) -> StoreError {
        StoreError(
            .migration,
            "the database at \(location) is at schema version \(version) but this rosterd knows only \(known); "
                + "run the newer rosterd that wrote it, or restore a backup"
        )
    }

    /// Migration `number` named `name` failed with `cause` and was rolled back.
    package static func migrationFailed(number: Int, name: String, cause: StoreError) -> StoreError {
        StoreError(
            .migration,
            "migration \(number) \"\(name)\" failed: \(cause.message); the database was left at version "
                + "\(number - 1) unchanged by it; restore a backup or report this error"
        )
    }
}
