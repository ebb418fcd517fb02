// Tenants and their encrypted client secrets.
extension SQLiteStore {
    static let tenantColumns = """
        id, display_name, directory_tenant_id, client_id, authority_url, graph_base_url, connection_state,
        connection_error_code, scope_kind, scope_group_id, scope_group_name, delta_link, deletion_threshold,
        include_disabled, sync_interval_minutes, next_sync_at, created_at, client_secret IS NOT NULL, token_scope,
        attributes, sync_photos
        """

    package func createTenant(_ tenant: TenantRecord) async throws(StoreError) {
        try await pool.write { connection throws(StoreError) in
            let exists = try connection.cached("SELECT 1 FROM tenants WHERE id = ?1")
            exists.bind(tenant.id, at: 1)
            if try exists.step() {
                throw StoreError(.conflict, "a tenant with id \(tenant.id) exists already; choose another id")
            }
            let insert = try connection.cached(
                """
                INSERT INTO tenants (id, display_name, authority_url, graph_base_url, created_at)
                VALUES (?1, ?2, ?3, ?4, ?5)
                """
            )
            insert.bind(tenant.id, at: 1)
            insert.bind(tenant.displayName, at: 2)
            insert.bind(tenant.authorityURL, at: 3)
            insert.bind(tenant.graphBaseURL, at: 4)
            insert.bind(tenant.createdAt, at: 5)
            try insert.run()
            try Self.saveTenant(tenant, connection: connection)
        }
    }

    package func tenant(id: String) async throws(StoreError) -> TenantRecord? {
        try await pool.read { connection throws(StoreError) in try Self.tenant(id: id, connection: connection) }
    }

    static func tenant(id: String, connection: Connection) throws(StoreError) -> TenantRecord? {
        let select = try connection.cached("SELECT \(tenantColumns) FROM tenants WHERE id = ?1")
        select.bind(id, at: 1)
        return try select.step() ? try readTenant(select) : nil
    }

    package func tenants() async throws(StoreError) -> [TenantRecord] {
        try await pool.read { connection throws(StoreError) in
            let select = try connection.cached("SELECT \(Self.tenantColumns) FROM tenants ORDER BY id")
            var tenants: [TenantRecord] = []
            while try select.step() { tenants.append(try Self.readTenant(select)) }
            return tenants
        }
    }

    package func updateTenant(_ tenant: TenantRecord) async throws(StoreError) {
        try await pool.write { connection throws(StoreError) in
            try Self.saveTenant(tenant, connection: connection)
        }
    }

    package func claimScheduledSync(tenant: String, due: Int64?, next: Int64) async throws(StoreError) -> Bool {
        try await pool.write { connection throws(StoreError) in
            let update = try connection.cached(
                "UPDATE tenants SET next_sync_at = ?3 WHERE id = ?1 AND next_sync_at IS ?2"
            )
            update.bind(tenant, at: 1)
            update.bind(due, at: 2)
            update.bind(next, at: 3)
            try update.run()
            return connection.changes == 1
        }
    }

    package func setClientSecret(_ secret: String?, tenant: String) async throws(StoreError) {
        let sealed = try secret.map { secret throws(StoreError) in try secrets.seal(secret, associatedData: tenant) }
        try await pool.write { connection throws(StoreError) in
            let update = try connection.cached("UPDATE tenants SET client_secret = ?2 WHERE id = ?1")
            update.bind(tenant, at: 1)
            update.bind(sealed, at: 2)
            try update.run()
            guard connection.changes == 1 else { throw Self.noTenant(tenant) }
        }
    }

    package func clientSecret(tenant: String) async throws(StoreError) -> String? {
        let sealed: [UInt8]? = try await pool.read { connection throws(StoreError) in
            let select = try connection.cached("SELECT client_secret FROM tenants WHERE id = ?1")
            select.bind(tenant, at: 1)
            guard try select.step() else { throw Self.noTenant(tenant) }
            return select.bytes(0)
        }
        return try sealed.map { sealed throws(StoreError) in try secrets.open(sealed, associatedData: tenant) }
    }

    static func noTenant(_ id: String) -> StoreError {
        StoreError(.notFound, "no tenant with id \(id); list tenants with `rosterd tenants` or create it first")
    }

    private static func saveTenant(_ tenant: TenantRecord, connection: Connection) throws(StoreError) {
        let update = try connection.cached(
            """
            UPDATE tenants SET display_name = ?2, directory_tenant_id = ?3, client_id = ?4, authority_url = ?5,
                graph_base_url = ?6, connection_state = ?7, connection_error_code = ?8, scope_kind = ?9,
                scope_group_id = ?10, scope_group_name = ?11, delta_link = ?12, deletion_threshold = ?13,
                include_disabled = ?14, sync_interval_minutes = ?15, next_sync_at = ?16, token_scope = ?17,
                attributes = ?18, sync_photos = ?19
            WHERE id = ?1
            """
        )
        update.bind(tenant.id, at: 1)
        update.bind(tenant.displayName, at: 2)
        update.bind(tenant.directoryTenantID, at: 3)
        update.bind(tenant.clientID, at: 4)
        update.bind(tenant.authorityURL, at: 5)
        update.bind(tenant.graphBaseURL, at: 6)
        update.bind(tenant.connectionState.rawValue, at: 7)
        update.bind(tenant.connectionErrorCode, at: 8)
        update.bind(tenant.scope.kind, at: 9)
        if case .group(let id, let name) = tenant.scope {
            update.bind(id, at: 10)
            update.bind(name, at: 11)
        }
        update.bind(tenant.deltaLink, at: 12)
        update.bind(tenant.deletionThreshold, at: 13)
        update.bind(tenant.includeDisabled, at: 14)
        update.bind(tenant.syncIntervalMinutes, at: 15)
        if let next = tenant.nextSyncAt { update.bind(next, at: 16) }
        update.bind(tenant.tokenScope, at: 17)
        update.bind(PhoneList.encode(tenant.attributes), at: 18)
        update.bind(tenant.syncPhotos, at: 19)
        try update.run()
        guard connection.changes == 1 else { throw noTenant(tenant.id) }
    }

    static func readTenant(_ row: Statement) throws(StoreError) -> TenantRecord {
        var tenant = TenantRecord(
            id: row.string(0) ?? "",
            displayName: row.string(1) ?? "",
            authorityURL: row.string(4) ?? "",
            graphBaseURL: row.string(5) ?? "",
            createdAt: row.int64(16)
        )
        tenant.directoryTenantID = row.string(2)
        tenant.clientID = row.string(3)
        tenant.connectionState = try .stored(row.string(6), column: "tenants.connection_state")
        tenant.connectionErrorCode = row.string(7)
        tenant.scope = try .from(kind: row.string(8), groupID: row.string(9), groupName: row.string(10))
        tenant.deltaLink = row.string(11)
        tenant.deletionThreshold = row.int(12)
        tenant.includeDisabled = row.bool(13)
        tenant.syncIntervalMinutes = row.int(14)
        tenant.nextSyncAt = row.optionalInt64(15)
        tenant.hasClientSecret = row.bool(17)
        tenant.tokenScope = row.string(18)
        tenant.attributes = PhoneList.decode(row.string(19) ?? "[]")
        tenant.syncPhotos = row.bool(20)
        return tenant
    }
}
