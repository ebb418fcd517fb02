internal import NIOPosix
internal import Synchronization

/// One serialized writer connection and a pool of reader connections, with all blocking SQLite
/// work run on a dedicated thread pool so that callers (and NIO event loops) only ever `await`.
///
/// WAL mode lets readers run beside the writer, each seeing the last committed state. Reader
/// connections are opened on demand and kept idle for reuse; there are never more of them than
/// the thread pool has threads, because each thread uses at most one at a time.
package final class ConnectionPool: Sendable {
    /// Where the database lives and how many threads serve it.
    package struct Configuration: Sendable {
        /// Path of the SQLite database file.
        package var path: String
        /// Threads running SQLite work; the writer uses one at a time, readers the rest. Default 4.
        package var threads: Int = 4
        /// How long a connection waits for a lock held by another process before failing. Default 5 s.
        package var busyTimeoutMilliseconds: Int32 = 5_000
        /// Page cache of the writer connection in KiB. Default 65,536 (64 MiB): enough to keep about
        /// 100,000 contacts, their indexes and a job's staging in memory during an apply.
        package var writerCacheKibibytes = 65_536
        /// Page cache of each reader connection in KiB. Default 8,192 (8 MiB).
        package var readerCacheKibibytes = 8_192

        /// A configuration for the database at `path` with default tunables.
        package init(path: String) { self.path = path }
    }

    private let configuration: Configuration
    private let writer: Mutex<Connection>
    private let idleReaders: Mutex<[Connection]>
    private let threadPool: NIOThreadPool

    /// Opens the database (creating it), applies `migrator`'s pending migrations and starts the threads.
    package init(configuration: Configuration, migrator: Migrator) throws(StoreError) {
        guard configuration.threads >= 2 else {
            throw StoreError(.invalidArgument, "the store needs at least 2 threads (one writer, one reader); got \(configuration.threads)")
        }
        let writer = try Connection(
            path: configuration.path, readOnly: false, busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds,
            cacheKibibytes: configuration.writerCacheKibibytes)
        try migrator.migrate(writer)
        self.configuration = configuration
        self.writer = Mutex(writer)
        self.idleReaders = Mutex([])
        self.threadPool = NIOThreadPool(numberOfThreads: configuration.threads)
        threadPool.start()
    }

    /// Runs `body` in one write transaction on the writer connection, after any earlier writes.
    package func write<T: Sendable>(
        _ body: @escaping @Sendable (Connection) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await run { () throws(StoreError) -> T in
            try self.writer.withLock { connection throws(StoreError) -> T in
                try connection.transaction { () throws(StoreError) in try body(connection) }
            }
        }
    }

    /// Runs `body` on a reader connection inside one read transaction (one consistent snapshot).
    package func read<T: Sendable>(
        _ body: @escaping @Sendable (Connection) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await run { () throws(StoreError) -> T in
            let connection = try self.acquireReader()
            defer { self.idleReaders.withLock { $0.append(connection) } }
            return try connection.readTransaction { () throws(StoreError) in try body(connection) }
        }
    }

    /// Stops the threads after the work already submitted. Later calls fail with a clear error.
    package func close() async {
        try? await threadPool.shutdownGracefully()
    }

    private func acquireReader() throws(StoreError) -> Connection {
        if let connection = idleReaders.withLock({ $0.popLast() }) { return connection }
        return try Connection(
            path: configuration.path, readOnly: true, busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds,
            cacheKibibytes: configuration.readerCacheKibibytes)
    }

    private func run<T: Sendable>(_ body: @escaping @Sendable () throws(StoreError) -> T) async throws(StoreError) -> T {
        do {
            return try await threadPool.runIfActive { () throws -> T in try body() }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(
                .invalidArgument, "the store at \(configuration.path) is closed (\(error)); open a new store to use it")
        }
    }
}
