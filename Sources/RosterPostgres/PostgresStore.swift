internal import Foundation
internal import Logging
internal import NIOPosix
internal import NIOSSL
internal import PostgresNIO
package import RosterStore
internal import Synchronization

/// The `Store` on PostgreSQL, through postgres-nio: the same semantics as `SQLiteStore`.
///
/// A pool of connections (`PostgresClient`, run by a task the store owns) serves every call.
/// Writes that must be atomic run in one transaction on one connection; readers are never blocked
/// by them (MVCC; the store takes row locks only, never table locks). Secrets are sealed with the
/// master key before they reach the database, API keys stored as hashes. Open it once per process
/// with ``open(configuration:masterKey:migrator:)`` and ``close()`` it at shutdown.
package final class PostgresStore: ClosableStore {
    let client: PostgresClient
    let secrets: SecretBox
    let logger: Logger
    /// How the store connected, for the connection that listens to the other replicas.
    let configuration: PostgresStoreConfiguration
    /// This process among the replicas sharing the database: the owner of the jobs it creates.
    package let replicaID = UUID().uuidString.lowercased()
    package let changeSignal = ChangeSignal()
    private let runner: Task<Void, Never>
    /// The refresh of the planner's statistics running now (``refreshStatistics()``), which
    /// ``close()`` waits for before it stops the pool.
    let statisticsRefresh = Mutex<Task<Void, Never>?>(nil)
    /// Streamed applies open now (``PostgresStreamedApply``), at most
    /// ``PostgresStoreConfiguration/maximumStreamedApplies``.
    let streamedApplies = Mutex(0)

    private init(client: PostgresClient, secrets: SecretBox, configuration: PostgresStoreConfiguration) {
        self.client = client
        self.secrets = secrets
        self.logger = configuration.logger
        self.configuration = configuration
        self.runner = Task { await client.run() }
    }

    /// Connects to the database, brings its schema up to date, and starts the connection pool.
    ///
    /// Fails fast (within the connect timeout) when the server cannot be reached or refuses the login.
    package static func open(
        configuration: PostgresStoreConfiguration,
        masterKey: MasterKey,
        migrator: PostgresMigrator = PostgresSchema.migrator
    ) async throws(StoreError) -> PostgresStore {
        let logger = configuration.logger
        let applied: [String]
        do {
            let connection = try await PostgresConnection.connect(
                on: eventLoops.any(),
                configuration: try configuration.connectionConfiguration(),
                id: 0,
                logger: logger
            )
            do {
                let session = SQLSession(target: .connection(connection), logger: logger)
                try await checkEncoding(session, configuration: configuration)
                applied = try await migrator.migrate(session, database: configuration.description)
                try await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch let error as StoreError {
            throw error
        } catch {
            let cause = SQLSession.storeError(error, running: "connect").message
            throw StoreError(.database, "cannot open the PostgreSQL store \(configuration): \(cause)")
        }
        if !applied.isEmpty {
            logger.notice(
                "database schema migrated",
                metadata: [
                    StoreLogKey.database.rawValue: "\(configuration)",
                    StoreLogKey.migrations.rawValue: "\(applied.joined(separator: ", "))",
                ]
            )
        }
        let client = PostgresClient(
            configuration: configuration.clientConfiguration(),
            eventLoopGroup: eventLoops,
            backgroundLogger: logger
        )
        return PostgresStore(client: client, secrets: SecretBox(key: masterKey), configuration: configuration)
    }

    /// The event loops of every PostgreSQL connection in this process: threads of their own, so that
    /// decoding a large result never holds up the loops that serve RPC calls (NIO's shared group).
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)

    /// Stops the connection pool, closing its connections once their calls finish.
    package func close() async {
        if let refresh = statisticsRefresh.withLock({ $0 }) { await refresh.value }
        runner.cancel()
        await runner.value
    }

    /// Statements on any pooled connection.
    var session: SQLSession { SQLSession(target: .pool(client), logger: logger) }

    /// Runs `body` in one transaction on one pooled connection: committed when it returns, rolled
    /// back when it throws.
    func transaction<T: Sendable>(_ body: @Sendable (SQLSession) async throws(StoreError) -> T) async throws(StoreError)
        -> T
    {
        let logger = logger
        do {
            return try await client.withConnection { connection in
                try await SQLSession(target: .connection(connection), logger: logger).transaction(body)
            }
        } catch {
            throw SQLSession.storeError(error, running: "BEGIN")
        }
    }

    /// Text is stored as UTF-8 (SearchFolding's keys, names in every script): refuse anything else.
    private static func checkEncoding(_ session: SQLSession, configuration: PostgresStoreConfiguration)
        async throws(StoreError)
    {
        let encoding = try await session.first("SHOW server_encoding").flatMap { row throws(StoreError) in
            try row.string(0)
        }
        guard encoding == "UTF8" else {
            throw StoreError(
                .database,
                "the PostgreSQL database \(configuration.database) uses encoding \(encoding ?? "unknown"), not UTF8; "
                    + "create it with CREATE DATABASE \(configuration.database) ENCODING 'UTF8' TEMPLATE template0"
            )
        }
    }

    static func noTenant(_ id: String) -> StoreError {
        StoreError(.notFound, "no tenant with id \(id); list tenants with `rosterd tenants` or create it first")
    }
}
