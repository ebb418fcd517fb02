internal import Logging
internal import PostgresNIO
internal import RosterStore

/// Where statements run: any connection of the pool, or one connection (inside a transaction or
/// a migration). Every failure comes out as a ``StoreError`` that says what to do next.
struct SQLSession: Sendable {
    enum Target: Sendable {
        case pool(PostgresClient)
        case connection(PostgresConnection)
    }

    let target: Target
    let logger: Logger

    /// Runs `sql` with `values` as `$1`, `$2`, … and returns every row. A server error whose
    /// SQLSTATE is a key of `violations` is thrown as that key's error instead (23505 for a
    /// unique violation, 23503 for a foreign key).
    @discardableResult
    func rows(_ sql: String, _ values: [SQLValue] = [], violations: [String: StoreError] = [:]) async throws(StoreError)
        -> [SQLRow]
    {
        let query = PostgresQuery(unsafeSQL: sql, binds: SQLValue.bindings(values))
        do {
            let sequence: PostgresRowSequence
            switch target {
            case .pool(let client): sequence = try await client.query(query, logger: logger)
            case .connection(let connection):
                try Self.checkOpen(connection, running: sql)
                sequence = try await connection.query(query, logger: logger)
            }
            return try await sequence.collect().map(SQLRow.init)
        } catch {
            throw Self.storeError(error, running: sql, violations: violations)
        }
    }

    /// The first row of `sql`, or nil.
    func first(_ sql: String, _ values: [SQLValue] = []) async throws(StoreError) -> SQLRow? {
        try await rows(sql, values).first
    }

    /// The integer in the first column of the first row (a count).
    func integer(_ sql: String, _ values: [SQLValue] = []) async throws(StoreError) -> Int {
        guard let row = try await first(sql, values) else {
            throw StoreError(.database, "the query \(sql.prefix(60)) returned no row; this is a bug in the store")
        }
        return try row.int(0)
    }

    /// Runs `body` in a transaction on this session's connection: committed when it returns,
    /// rolled back when it throws. Only for a `.connection` session.
    func transaction<T: Sendable>(_ body: (SQLSession) async throws(StoreError) -> T) async throws(StoreError) -> T {
        try await rows("BEGIN")
        do {
            let value = try await body(self)
            try await rows("COMMIT")
            return value
        } catch {
            do {
                try await rows("ROLLBACK")
            } catch let rollback {
                // The connection is in an unknown state: close it so the pool never reuses it.
                if case .connection(let connection) = target { try? await connection.close() }
                logger.warning("rollback failed; connection closed", metadata: ["error": "\(rollback.message)"])
            }
            throw error
        }
    }

    /// Throws when `connection` has closed (the server ended the session, or the network dropped
    /// it). postgres-nio writes a statement to its channel without a promise, so on a closed
    /// connection the failure is lost and the statement never returns: check first. (A close in the
    /// instant between this check and the send is not caught; one while the statement runs is.)
    static func checkOpen(_ connection: PostgresConnection, running sql: String) throws(StoreError) {
        guard connection.isClosed else { return }
        throw StoreError(
            .database,
            "cannot talk to PostgreSQL: the connection closed before \"\(sql.prefix(60))…\" was sent; check that "
                + "the server is running (an administrator may have ended the session)"
        )
    }

    /// A ``StoreError`` for a failure of postgres-nio or the server, with the server's SQLSTATE and
    /// text; a SQLSTATE that is a key of `violations` gives that key's error instead.
    static func storeError(_ error: any Error, running sql: String, violations: [String: StoreError] = [:])
        -> StoreError
    {
        if let error = error as? StoreError { return error }
        if let error = error as? PSQLError, let state = error.serverInfo?[.sqlState], let mapped = violations[state] {
            return mapped
        }
        guard let error = error as? PSQLError else {
            return StoreError(.database, "PostgreSQL query failed: \(String(reflecting: error))")
        }
        if let info = error.serverInfo {
            let state = info[.sqlState] ?? "?"
            let detail = info[.detail].map { " (\($0))" } ?? ""
            return StoreError(
                .database,
                "PostgreSQL refused \"\(sql.prefix(60))…\": \(info[.message] ?? "no message")\(detail) "
                    + "[SQLSTATE \(state)]"
            )
        }
        if error.code == .sslUnsupported {
            return StoreError(
                .database,
                "the PostgreSQL server does not offer TLS, which the store's sslmode requires; turn ssl on in the "
                    + "server's configuration, or connect without sslmode on a trusted network"
            )
        }
        let cause = error.underlying.map { ": \(String(describing: $0))" } ?? ""
        return StoreError(
            .database,
            "cannot talk to PostgreSQL (\(error.code))\(cause); check that the server is running and reachable "
                + "at the --store address, and that the user and password are right"
        )
    }
}
