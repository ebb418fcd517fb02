internal import CSQLite

/// One SQLite connection: open, configure, prepare (with a statement cache), execute, transactions.
///
/// Opened with `SQLITE_OPEN_NOMUTEX` (SQLite's multi-thread mode): a connection may move between
/// threads, but two threads must never use it at once, and SQLite no longer checks that for us.
/// `ConnectionPool` guarantees it by handing each connection to exactly one job at a time (the
/// writer behind a `Mutex`, readers taken from and returned to an idle list).
package final class Connection: @unchecked Sendable {
    // @unchecked Sendable: mutable state (the statement cache, the sqlite3 handle) is only touched
    // by the one thread that holds the connection, as the type's comment explains.

    /// The raw `sqlite3*` handle.
    let handle: OpaquePointer
    /// Where the database lives (for error messages).
    package let path: String
    private var cache: [String: Statement] = [:]
    /// Statements handed out since the last transaction ended; a statement left mid-rows keeps
    /// its read snapshot open, so they are all reset before COMMIT or ROLLBACK.
    private var handedOut: [Statement] = []

    /// Opens (creating if `readOnly` is false) the database at `path` and applies Roster's pragmas.
    /// `cacheKibibytes` is SQLite's page cache for this connection (SQLite's own default is 2,000 KiB).
    package init(path: String, readOnly: Bool, busyTimeoutMilliseconds: Int32, cacheKibibytes: Int = 2_000)
        throws(StoreError)
    {
        var db: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let text = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw StoreError(
                .sqlite,
                "cannot open the database at \(path): \(text) (SQLite code \(rc)); "
                    + "check that the data directory exists and is writable by this user"
            )
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        // WAL: readers see the last committed state while the writer works, and a killed process
        // leaves a log that the next open rolls back or forward, never a half-written page.
        // synchronous=NORMAL: in WAL mode a commit is atomic and consistent with NORMAL; only the
        // last transactions before a power loss (not a process kill) may be lost, and a sync job
        // that loses its apply that way is simply run again. FULL would fsync on every commit,
        // which matters for the many small staging transactions.
        if !readOnly {
            try execute("PRAGMA journal_mode = WAL")
        }
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
        // A page cache that holds a whole tenant's contacts and indexes keeps the apply step's index
        // walks in memory instead of re-reading pages from the file; sorting stays in memory too.
        try execute("PRAGMA cache_size = -\(max(100, cacheKibibytes))")
        try execute("PRAGMA temp_store = MEMORY")
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
    }

    // MARK: - Statements

    /// A prepared statement for `sql`, reused across calls (reset and with its bindings cleared).
    ///
    /// `sql` must be a constant written in this target: values always travel as bindings.
    package func cached(_ sql: String) throws(StoreError) -> Statement {
        if let statement = cache[sql] {
            statement.reset()
            statement.clearBindings()
            handedOut.append(statement)
            return statement
        }
        let statement = try Statement(connection: self, sql: sql)
        cache[sql] = statement
        handedOut.append(statement)
        return statement
    }

    /// Runs one or more SQL statements that take no bindings (schema, pragmas).
    package func execute(_ sql: String) throws(StoreError) {
        var errorText: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &errorText)
        if rc != SQLITE_OK {
            let text = errorText.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorText)
            throw StoreError(.sqlite, "SQLite failed (code \(rc)) running \(sql.prefix(120)): \(text)")
        }
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.
    package var changes: Int { Int(sqlite3_changes64(handle)) }

    /// SQLite's text for the most recent error on this connection.
    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    // MARK: - Transactions

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: committed if it returns, rolled back if it throws.
    ///
    /// IMMEDIATE takes the write lock up front, so a transaction never fails half-way with
    /// SQLITE_BUSY because another connection wrote first.
    package func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            resetHandedOut()
            try execute("COMMIT")
            return result
        } catch {
            resetHandedOut()
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in a read transaction, so that all its queries see one snapshot.
    package func readTransaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        try execute("BEGIN DEFERRED")
        defer {
            resetHandedOut()
            try? execute("COMMIT")
        }
        return try body()
    }

    private func resetHandedOut() {
        for statement in handedOut { statement.reset() }
        handedOut.removeAll(keepingCapacity: true)
    }

    // MARK: - Schema version

    /// `PRAGMA user_version`: the number of migrations applied to this database.
    package var userVersion: Int {
        get throws(StoreError) {
            let statement = try cached("PRAGMA user_version")
            guard try statement.step() else { return 0 }
            return statement.int(0)
        }
    }

    /// Sets `PRAGMA user_version` (pragmas take no bindings; the value is an integer we computed).
    package func setUserVersion(_ version: Int) throws(StoreError) {
        try execute("PRAGMA user_version = \(version)")
    }
}
