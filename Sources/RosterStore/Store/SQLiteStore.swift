internal import Foundation
package import Logging

/// The `Store` on SQLite: one database file and the master key file in a data directory.
///
/// Writes go through one serialized writer connection on a thread of its own, reads through a pool
/// of readers (WAL) on threads that writes never take. Open it once per process and `close()` it at shutdown.
package final class SQLiteStore: Store {
    /// Where the store keeps its files, and its tunables.
    package struct Configuration: Sendable {
        /// The data directory holding the database and `master.key`; it must exist.
        package var directory: String
        /// The database file's name inside `directory`. Default `roster.sqlite`.
        package var databaseFileName = "roster.sqlite"
        /// Threads running point reads; writes run on one thread of their own besides. Default 4.
        package var readerThreads = 4
        /// Threads running reads whose work grows with the tenant (pages, exports, dry runs), so
        /// that point reads never wait behind them. Default 2.
        package var bulkReaderThreads = 2
        /// How long to wait for a lock held by another process. Default 5,000 ms.
        package var busyTimeoutMilliseconds: Int32 = 5_000
        /// Where the store logs: schema migrations at notice, each apply at debug, a refused apply
        /// at notice (``StoreLogKey``). Default: nowhere.
        package var logger = Logger(label: "roster.store", factory: { _ in SwiftLogNoOpLogHandler() })
        /// Whether applies log their changes to the tenant's change feed. Default true.
        package var logsChanges = true

        /// The default configuration for `directory`.
        package init(directory: String) { self.directory = directory }

        /// Full path of the database file.
        package var databasePath: String { (directory as NSString).appendingPathComponent(databaseFileName) }
    }

    let pool: ConnectionPool
    let secrets: SecretBox
    let logger: Logger
    /// Whether writes log their changes to the change feed (``Configuration/logsChanges``).
    let logsChanges: Bool
    package let changeSignal = ChangeSignal()

    /// Opens the store in `configuration.directory`: loads (or creates) the master key, opens the
    /// database and brings its schema up to date.
    package convenience init(configuration: Configuration) throws(StoreError) {
        let key = try MasterKey.loadOrCreate(inDirectory: configuration.directory)
        try self.init(configuration: configuration, masterKey: key, migrator: RosterSchema.migrator)
    }

    /// Opens the store with an explicit key and migrator (tests build older schemas this way).
    package init(configuration: Configuration, masterKey: MasterKey, migrator: Migrator) throws(StoreError) {
        var poolConfiguration = ConnectionPool.Configuration(path: configuration.databasePath)
        poolConfiguration.readerThreads = configuration.readerThreads
        poolConfiguration.bulkReaderThreads = configuration.bulkReaderThreads
        poolConfiguration.busyTimeoutMilliseconds = configuration.busyTimeoutMilliseconds
        self.pool = try ConnectionPool(configuration: poolConfiguration, migrator: migrator)
        self.secrets = SecretBox(key: masterKey)
        self.logger = configuration.logger
        self.logsChanges = configuration.logsChanges
        if !pool.appliedMigrations.isEmpty {
            logger.notice(
                "database schema migrated",
                metadata: [
                    StoreLogKey.database.rawValue: "\(configuration.databasePath)",
                    StoreLogKey.migrations.rawValue: "\(pool.appliedMigrations.joined(separator: ", "))",
                ]
            )
        }
    }

    /// Finishes submitted work and stops the store's threads.
    package func close() async {
        await pool.close()
    }

    /// Runs `PRAGMA integrity_check` and returns SQLite's report ("ok" when the file is sound).
    package func integrityCheck() async throws(StoreError) -> String {
        try await pool.read { connection throws(StoreError) in
            let statement = try connection.cached("PRAGMA integrity_check")
            var lines: [String] = []
            while try statement.step() { lines.append(statement.string(0) ?? "") }
            return lines.joined(separator: "\n")
        }
    }
}
