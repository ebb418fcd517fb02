internal import NIOPosix
internal import Synchronization

/// One serialized writer connection and a pool of reader connections, with all blocking SQLite
/// work run on threads of the pool's own so that callers (and NIO event loops) only ever `await`.
///
/// Writes run on one writer thread, in the order they are asked for: a write waiting for an
/// earlier one waits as a queued work item, not on a thread. Reads run on reader threads that
/// writes never use, so a long apply and the writes queued behind it cannot hold up a read.
/// Reads whose work grows with the tenant (a page of 1,000 contacts, an export, a dry run) run on
/// bulk reader threads of their own (``readBulk(_:)``), so that a client asking for many large
/// pages at once cannot put every key check and lookup of the server in line behind them.
/// WAL mode lets readers run beside the writer, each seeing the last committed state. Reader
/// connections are opened on demand and kept idle for reuse; there are never more of them than
/// reader threads, because each thread uses at most one at a time.
package final class ConnectionPool: Sendable {
    /// Where the database lives and how many threads read it.
    package struct Configuration: Sendable {
        /// Path of the SQLite database file.
        package var path: String
        /// Threads running point reads (API-key checks, contact lookups, counts); writes have a
        /// thread of their own besides these. Default 4.
        package var readerThreads: Int = 4
        /// Threads running bulk reads (``ConnectionPool/readBulk(_:)``): listings, exports, dry
        /// runs. Default 2.
        package var bulkReaderThreads: Int = 2
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
    /// The one thread running writes, one after another.
    private let writerThread: NIOThreadPool
    /// The threads running point reads; writes never run here.
    private let readerThreads: NIOThreadPool
    /// The threads running bulk reads.
    private let bulkReaderThreads: NIOThreadPool
    private let writesInLineCount = Atomic<Int>(0)

    /// The names of the migrations this open applied (empty when the schema was current).
    package let appliedMigrations: [String]

    /// Opens the database (creating it), applies `migrator`'s pending migrations and starts the threads.
    package init(configuration: Configuration, migrator: Migrator) throws(StoreError) {
        guard configuration.readerThreads >= 1, configuration.bulkReaderThreads >= 1 else {
            throw StoreError(
                .invalidArgument,
                "the store needs at least 1 reader thread and 1 bulk reader thread; got "
                    + "\(configuration.readerThreads) and \(configuration.bulkReaderThreads)"
            )
        }
        try DatabaseFileMode.ownerOnly(configuration.path)
        let writer = try Connection(
            path: configuration.path,
            readOnly: false,
            busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds,
            cacheKibibytes: configuration.writerCacheKibibytes
        )
        self.appliedMigrations = try migrator.migrate(writer)
        self.configuration = configuration
        self.writer = Mutex(writer)
        self.idleReaders = Mutex([])
        self.writerThread = NIOThreadPool(numberOfThreads: 1)
        self.readerThreads = NIOThreadPool(numberOfThreads: configuration.readerThreads)
        self.bulkReaderThreads = NIOThreadPool(numberOfThreads: configuration.bulkReaderThreads)
        writerThread.start()
        readerThreads.start()
        bulkReaderThreads.start()
    }

    /// Writes asked for and not finished, the running one included (tests wait on it).
    package var writesInLine: Int { writesInLineCount.load(ordering: .relaxed) }

    /// Runs `body` in one write transaction on the writer connection, after any earlier writes.
    package func write<T: Sendable>(
        _ body: @escaping @Sendable (Connection) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        writesInLineCount.add(1, ordering: .relaxed)
        defer { writesInLineCount.subtract(1, ordering: .relaxed) }
        return try await run(on: writerThread) { () throws(StoreError) -> T in
            // Only the writer thread takes the lock: it is never contended.
            try self.writer.withLock { connection throws(StoreError) -> T in
                try connection.transaction { () throws(StoreError) in try body(connection) }
            }
        }
    }

    /// Runs `body` on a reader connection inside one read transaction (one consistent snapshot).
    /// For reads whose work is bounded (a key, a contact, a count): those that grow with the
    /// tenant go through ``readBulk(_:)``.
    package func read<T: Sendable>(
        _ body: @escaping @Sendable (Connection) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await run(on: readerThreads) { () throws(StoreError) -> T in try self.readTransaction(body) }
    }

    /// Like ``read(_:)``, on the bulk reader threads: for reads whose work grows with the tenant
    /// or the request (pages of contacts or changes, exports, dry runs).
    package func readBulk<T: Sendable>(
        _ body: @escaping @Sendable (Connection) throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        try await run(on: bulkReaderThreads) { () throws(StoreError) -> T in try self.readTransaction(body) }
    }

    private func readTransaction<T>(_ body: (Connection) throws(StoreError) -> T) throws(StoreError) -> T {
        let connection = try acquireReader()
        defer { idleReaders.withLock { $0.append(connection) } }
        return try connection.readTransaction { () throws(StoreError) in try body(connection) }
    }

    /// Stops the threads after the work already submitted. Later calls fail with a clear error.
    package func close() async {
        try? await writerThread.shutdownGracefully()
        try? await readerThreads.shutdownGracefully()
        try? await bulkReaderThreads.shutdownGracefully()
    }

    private func acquireReader() throws(StoreError) -> Connection {
        if let connection = idleReaders.withLock({ $0.popLast() }) { return connection }
        return try Connection(
            path: configuration.path,
            readOnly: true,
            busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds,
            cacheKibibytes: configuration.readerCacheKibibytes
        )
    }

    private func run<T: Sendable>(
        on threads: NIOThreadPool,
        _ body: @escaping @Sendable () throws(StoreError) -> T
    ) async throws(StoreError) -> T {
        do {
            return try await threads.runIfActive { () throws -> T in try body() }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(
                .invalidArgument,
                "the store at \(configuration.path) is closed (\(error)); open a new store to use it"
            )
        }
    }
}
