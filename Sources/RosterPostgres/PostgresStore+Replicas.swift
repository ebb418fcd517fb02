internal import Logging
internal import PostgresNIO
package import RosterStore

// What replicas sharing the database tell each other: job leases in `sync_jobs`, and news on one
// NOTIFY channel (`roster_events`). A NOTIFY sent inside a transaction is delivered at its commit,
// so news of a write never arrives before the write can be read.
extension PostgresStore: ReplicaCoordination {
    /// The channel every replica listens to.
    static let eventChannel = "roster_events"
    /// The database's clock in Unix milliseconds: leases are compared on one clock, whatever the
    /// replicas' own clocks say.
    static let databaseNow = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT"
    /// The longest NOTIFY payload PostgreSQL accepts is 8000 bytes; stay below it.
    static let maximumEventPayload = 7_990

    package var leaseDuration: Duration { configuration.jobLease }

    var leaseMilliseconds: Int64 {
        let (seconds, attoseconds) = configuration.jobLease.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }

    package func renewLeases() async throws(StoreError) -> Set<String> {
        let rows = try await session.rows(
            """
            UPDATE sync_jobs SET lease_expires_at = \(Self.databaseNow) + $2
            WHERE owner = $1 AND state IN ('queued', 'running')
            RETURNING id, cancel_requested
            """,
            [.text(replicaID), .integer(leaseMilliseconds)]
        )
        var cancelled: Set<String> = []
        for row in rows where try row.bool(1) { cancelled.insert(try row.string(0) ?? "") }
        return cancelled
    }

    package func requestCancel(tenant: String) async throws(StoreError) -> SyncJobRecord? {
        try await transaction { session throws(StoreError) -> SyncJobRecord? in
            let marked = try await session.first(
                """
                UPDATE sync_jobs SET cancel_requested = TRUE
                WHERE tenant_id = $1 AND state IN ('queued', 'running') RETURNING id
                """,
                [.text(tenant)]
            )
            guard let id = try marked?.string(0) else { return nil }
            try await Self.notify(.cancel(job: id, tenant: tenant), session: session)
            return try await session.first("SELECT \(Self.jobColumns) FROM sync_jobs WHERE id = $1", [.text(id)]).map {
                row throws(StoreError) in try Self.readJob(row)
            }
        }
    }

    package func announceProgress(job: String, payload: String) async throws(StoreError) {
        try await Self.notify(.progress(job: job, payload: payload), session: session)
    }

    package func events() -> AsyncStream<ReplicaEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: ReplicaEvent.self, bufferingPolicy: .unbounded)
        let listener = Task { [configuration, logger] in
            await Self.listen(configuration: configuration, logger: logger, into: continuation)
            continuation.finish()
        }
        continuation.onTermination = { _ in listener.cancel() }
        return stream
    }

    /// Sends `event` to every listening replica (at the commit, inside a transaction).
    static func notify(_ event: ReplicaEvent, session: SQLSession) async throws(StoreError) {
        let payload = event.notification
        guard payload.utf8.count <= maximumEventPayload else {
            throw StoreError(
                .invalidArgument,
                "a replica event of \(payload.utf8.count) bytes is over PostgreSQL's NOTIFY limit; shorten it"
            )
        }
        try await session.rows("SELECT pg_notify($1, $2)", [.text(eventChannel), .text(payload)])
    }

    /// Listens on a connection of its own until cancelled; when the connection is lost, connects
    /// again (after a second) and yields ``ReplicaEvent/resynchronize`` once it listens again.
    private static func listen(
        configuration: PostgresStoreConfiguration,
        logger: Logger,
        into continuation: AsyncStream<ReplicaEvent>.Continuation
    ) async {
        var connectedBefore = false
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    on: eventLoops.any(),
                    configuration: try configuration.connectionConfiguration(),
                    id: 1,
                    logger: logger
                )
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: eventChannel) { notifications in
                    if connectedBefore { continuation.yield(.resynchronize) }
                    connectedBefore = true
                    for try await notification in notifications {
                        if let event = ReplicaEvent(notification: notification.payload) { continuation.yield(event) }
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning(
                    "lost the connection that hears the other replicas; connecting again in 1 s",
                    metadata: [
                        StoreLogKey.database.rawValue: "\(configuration)", "error": "\(String(reflecting: error))",
                    ]
                )
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
