internal import CSQLite

/// A prepared SQLite statement: bind by 1-based index, step, read columns by 0-based index.
///
/// Owned by one `Connection` (which caches it) and used on that connection's thread only.
package final class Statement {
    private let handle: OpaquePointer
    private unowned let connection: Connection

    init(connection: Connection, sql: String) throws(StoreError) {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(
            connection.handle,
            sql,
            -1,
            UInt32(SQLITE_PREPARE_PERSISTENT),
            &statement,
            nil
        )
        guard rc == SQLITE_OK, let statement else {
            throw StoreError(
                .sqlite,
                "SQLite cannot prepare \(sql.prefix(120)): \(connection.lastErrorMessage) (code \(rc))"
            )
        }
        self.handle = statement
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Makes the statement ready to run again; bindings stay until rebound or cleared.
    package func reset() {
        sqlite3_reset(handle)
    }

    /// Sets every parameter back to NULL.
    package func clearBindings() {
        sqlite3_clear_bindings(handle)
    }

    // MARK: - Binding (1-based)

    /// Binds an integer at `index`.
    package func bind(_ value: Int64, at index: Int32) {
        sqlite3_bind_int64(handle, index, value)
    }

    /// Binds an integer at `index`.
    /// Binds `value`, or NULL when it is nil.
    package func bind(_ value: Int64?, at index: Int32) {
        if let value {
            bind(value, at: index)
        } else {
            sqlite3_bind_null(handle, index)
        }
    }

    package func bind(_ value: Int, at index: Int32) {
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    /// Binds a Boolean as 0 or 1 at `index`.
    package func bind(_ value: Bool, at index: Int32) {
        sqlite3_bind_int64(handle, index, value ? 1 : 0)
    }

    /// Binds text at `index`, or NULL when `value` is nil. SQLite copies the bytes.
    package func bind(_ value: String?, at index: Int32) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { bytes in
            _ = sqlite3_bind_text(
                handle,
                index,
                UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self),
                Int32(bytes.count),
                roster_sqlite_transient()
            )
        }
    }

    /// Binds bytes at `index`, or NULL when `value` is nil. SQLite copies the bytes.
    package func bind(_ value: [UInt8]?, at index: Int32) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), roster_sqlite_transient())
        }
    }

    // MARK: - Running

    /// Advances to the next row: true when a row is ready to read, false when the statement is done.
    @discardableResult
    package func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let sql = sqlite3_sql(handle).map { String(cString: $0) } ?? "?"
            throw StoreError(
                .sqlite,
                "SQLite failed (code \(rc)) running \(sql.prefix(120)): \(connection.lastErrorMessage)"
            )
        }
    }

    /// Runs the statement to completion, ignoring any rows.
    package func run() throws(StoreError) {
        while try step() {}
    }

    // MARK: - Columns (0-based)

    /// The integer in column `index` (0 for NULL).
    package func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// The integer in column `index` (0 for NULL).
    package func int(_ index: Int32) -> Int { Int(sqlite3_column_int64(handle, index)) }

    /// The integer in column `index`, or nil for NULL.
    package func optionalInt64(_ index: Int32) -> Int64? {
        sqlite3_column_type(handle, index) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, index)
    }

    /// The Boolean in column `index` (false for NULL or 0).
    package func bool(_ index: Int32) -> Bool { sqlite3_column_int64(handle, index) != 0 }

    /// The text in column `index`, or nil for NULL.
    package func string(_ index: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    /// The bytes in column `index`, or nil for NULL.
    package func bytes(_ index: Int32) -> [UInt8]? {
        if sqlite3_column_type(handle, index) == SQLITE_NULL { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let blob = sqlite3_column_blob(handle, index) else { return [] }
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }
}
