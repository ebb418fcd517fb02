/// The metadata keys the store logs under.
package enum StoreLogKey: String, Sendable {
    /// The database file.
    case database = "store.database"
    /// Migrations applied at open.
    case migrations = "store.migrations"
    /// The tenant an apply wrote.
    case tenant = "store.tenant"
    /// The job an apply belongs to.
    case job = "store.job"
    /// What an apply did: added, updated, removed, unchanged.
    case counts = "store.counts"
    /// How long an apply's transaction took, in milliseconds.
    case milliseconds = "store.ms"
}
