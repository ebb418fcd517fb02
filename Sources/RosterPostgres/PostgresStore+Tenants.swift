package import RosterStore

// Tenants and their sealed client secrets.
extension PostgresStore {
    private static let tenantColumns = """
        id, display_name, directory_tenant_id, client_id, authority_url, graph_base_url, connection_state,
        connection_error_code, scope_kind, scope_group_id, scope_group_name, delta_link, deletion_threshold,
        include_disabled, sync_interval_minutes, next_sync_at, created_at, client_secret IS NOT NULL, token_scope,
        attributes, sync_photos
        """

    /// The columns `saveTenant` writes after the id, in binding order from $2.
    private static let savedColumns = [
        "display_name", "directory_tenant_id", "client_id", "authority_url", "graph_base_url", "connection_state",
        "connection_error_code", "scope_kind", "scope_group_id", "scope_group_name", "delta_link",
        "deletion_threshold", "include_disabled", "sync_interval_minutes", "next_sync_at", "token_scope",
        "attributes", "sync_photos",
    ]

    /// Every column of a tenant's row that a ``TenantRecord`` holds: `id`, ``savedColumns``, `created_at`.
    static let tenantRowColumns = ["id"] + savedColumns + ["created_at"]

    /// `tenant`'s values for ``tenantRowColumns``, in order.
    static func tenantRowValues(_ tenant: TenantRecord) -> [SQLValue] {
        savedValues(tenant) + [.integer(tenant.createdAt)]
    }

    package func createTenant(_ tenant: TenantRecord) async throws(StoreError) {
        let columns = Self.tenantRowColumns.joined(separator: ", ")
        let placeholders = SQLValue.placeholders(from: 1, count: Self.tenantRowColumns.count)
        let inserted = try await session.rows(
            """
            INSERT INTO tenants (\(columns)) VALUES (\(placeholders))
            ON CONFLICT (id) DO NOTHING RETURNING 1
            """,
            Self.tenantRowValues(tenant)
        )
        guard !inserted.isEmpty else {
            throw StoreError(.conflict, "a tenant with id \(tenant.id) exists already; choose another id")
        }
    }

    package func tenant(id: String) async throws(StoreError) -> TenantRecord? {
        try await session.first("SELECT \(Self.tenantColumns) FROM tenants WHERE id = $1", [.text(id)]).map {
            row throws(StoreError) in try Self.readTenant(row)
        }
    }

    package func tenants() async throws(StoreError) -> [TenantRecord] {
        var tenants: [TenantRecord] = []
        for row in try await session.rows("SELECT \(Self.tenantColumns) FROM tenants ORDER BY id") {
            tenants.append(try Self.readTenant(row))
        }
        return tenants
    }

    package func updateTenant(_ tenant: TenantRecord) async throws(StoreError) {
        let assignments = Self.savedColumns.enumerated().map { "\($1) = $\($0 + 2)" }.joined(separator: ", ")
        let updated = try await session.rows(
            "UPDATE tenants SET \(assignments) WHERE id = $1 RETURNING 1",
            Self.savedValues(tenant)
        )
        guard !updated.isEmpty else { throw Self.noTenant(tenant.id) }
    }

    package func claimScheduledSync(tenant: String, due: Int64?, next: Int64) async throws(StoreError) -> Bool {
        // One statement: of replicas racing for the same due sync, the row lock lets one through and
        // the others then see the moved value.
        let claimed = try await session.rows(
            "UPDATE tenants SET next_sync_at = $3 WHERE id = $1 AND next_sync_at IS NOT DISTINCT FROM $2::bigint "
                + "RETURNING 1",
            [.text(tenant), .integer(due), .integer(next)]
        )
        return !claimed.isEmpty
    }

    package func setClientSecret(_ secret: String?, tenant: String) async throws(StoreError) {
        let sealed = try secret.map { secret throws(StoreError) in try secrets.seal(secret, associatedData: tenant) }
        let updated = try await session.rows(
            "UPDATE tenants SET client_secret = $2 WHERE id = $1 RETURNING 1",
            [.text(tenant), .bytes(sealed)]
        )
        guard !updated.isEmpty else { throw Self.noTenant(tenant) }
    }

    package func clientSecret(tenant: String) async throws(StoreError) -> String? {
        guard let row = try await session.first("SELECT client_secret FROM tenants WHERE id = $1", [.text(tenant)])
        else { throw Self.noTenant(tenant) }
        return try row.bytes(0).map { sealed throws(StoreError) in
            try secrets.open(sealed, associatedData: tenant)
        }
    }

    /// $1 the id, then ``savedColumns`` in order.
    private static func savedValues(_ tenant: TenantRecord) -> [SQLValue] {
        let group = tenant.scope.group
        return [
            .text(tenant.id), .text(tenant.displayName), .text(tenant.directoryTenantID), .text(tenant.clientID),
            .text(tenant.authorityURL), .text(tenant.graphBaseURL), .text(tenant.connectionState.rawValue),
            .text(tenant.connectionErrorCode), .text(tenant.scope.kind), .text(group?.id), .text(group?.name),
            .text(tenant.deltaLink), .int(tenant.deletionThreshold), .boolean(tenant.includeDisabled),
            .int(tenant.syncIntervalMinutes), .integer(tenant.nextSyncAt), .text(tenant.tokenScope),
            .text(PhoneList.encode(tenant.attributes)), .boolean(tenant.syncPhotos),
        ]
    }

    private static func readTenant(_ row: SQLRow) throws(StoreError) -> TenantRecord {
        var tenant = TenantRecord(
            id: try row.string(0) ?? "",
            displayName: try row.string(1) ?? "",
            authorityURL: try row.string(4) ?? "",
            graphBaseURL: try row.string(5) ?? "",
            createdAt: try row.int64(16)
        )
        tenant.directoryTenantID = try row.string(2)
        tenant.clientID = try row.string(3)
        tenant.connectionState = try .stored(try row.string(6), column: "tenants.connection_state")
        tenant.connectionErrorCode = try row.string(7)
        tenant.scope = try .from(kind: try row.string(8), groupID: try row.string(9), groupName: try row.string(10))
        tenant.deltaLink = try row.string(11)
        tenant.deletionThreshold = try row.int(12)
        tenant.includeDisabled = try row.bool(13)
        tenant.syncIntervalMinutes = try row.int(14)
        tenant.nextSyncAt = try row.optionalInt64(15)
        tenant.hasClientSecret = try row.bool(17)
        tenant.tokenScope = try row.string(18)
        tenant.attributes = PhoneList.decode(try row.string(19) ?? "[]")
        tenant.syncPhotos = try row.bool(20)
        return tenant
    }
}
