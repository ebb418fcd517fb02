// The change feed: reading a tenant's numbered changes, logging one outside the apply, pruning.
extension SQLiteStore {
    package func changes(tenant: String, after cursor: Int64, limit: Int) async throws(StoreError)
        -> ContactChangePage
    {
        try await pool.readBulk { connection throws(StoreError) in
            let bounds = try connection.cached(ChangeFeedSQL.bounds)
            bounds.bind(tenant, at: 1)
            let (latest, floor) = try bounds.step() ? (bounds.int64(0), bounds.int64(1)) : (0, 0)
            try Self.checkCursor(cursor, latest: latest, floor: floor)
            let page = try connection.cached(ChangeFeedSQL.page)
            page.bind(tenant, at: 1)
            page.bind(cursor, at: 2)
            page.bind(max(0, limit), at: 3)
            var changes: [ContactChangeRecord] = []
            while try page.step() {
                changes.append(
                    ContactChangeRecord(
                        sequence: page.int64(0),
                        contactID: page.string(1) ?? "",
                        kind: ContactChangeKind(rawValue: page.string(2) ?? "") ?? .updated,
                        source: ContactChangeSource(rawValue: page.string(3) ?? "") ?? .directory,
                        changedAt: page.int64(4),
                        contact: page.string(5) == nil ? nil : ContactColumns.read(page, idColumn: 5)
                    )
                )
            }
            return try Self.checkPage(ContactChangePage(changes: changes, latest: latest), after: cursor)
        }
    }

    package func changeCursor(tenant: String) async throws(StoreError) -> Int64 {
        try await pool.read { connection throws(StoreError) in
            let bounds = try connection.cached(ChangeFeedSQL.bounds)
            bounds.bind(tenant, at: 1)
            return try bounds.step() ? bounds.int64(0) : 0
        }
    }

    package func pruneChanges(before: Int64) async throws(StoreError) -> Int {
        try await pool.write { connection throws(StoreError) in
            let raise = try connection.cached(ChangeFeedSQL.raiseFloors)
            raise.bind(before, at: 1)
            try raise.run()
            try connection.cached(ChangeFeedSQL.prune).run()
            return connection.changes
        }
    }

    /// Logs one change of `contact` outside the apply, inside the caller's write transaction.
    static func logChange(
        tenant: String,
        contact: String,
        kind: ContactChangeKind,
        source: ContactChangeSource,
        now: Int64,
        connection: Connection
    ) throws(StoreError) {
        let log = try connection.cached(ChangeFeedSQL.logOne)
        log.bind(tenant, at: 1)
        log.bind(contact, at: 2)
        log.bind(now, at: 3)
        log.bind(kind.rawValue, at: 4)
        log.bind(source.rawValue, at: 5)
        try log.run()
        try advanceChanges(tenant: tenant, by: connection.changes, connection: connection)
    }

    /// Moves the tenant's newest change number on by `count` after that many were logged.
    static func advanceChanges(tenant: String, by count: Int, connection: Connection) throws(StoreError) {
        let advance = try connection.cached(ChangeFeedSQL.advance)
        advance.bind(tenant, at: 1)
        advance.bind(count, at: 2)
        try advance.run()
    }
}
