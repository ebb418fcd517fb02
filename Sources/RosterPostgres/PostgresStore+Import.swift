package import RosterStore

// Writing another store's rows, as stored, into this database in one transaction (`rosterd migrate-store`).
extension PostgresStore {
    /// Runs `body` with an importer bound to ONE transaction on one connection: committed when
    /// `body` returns, rolled back (nothing written) when it throws.
    package func importing<T: Sendable>(_ body: @Sendable (PostgresImport) async throws(StoreError) -> T)
        async throws(StoreError) -> T
    {
        try await transaction { session throws(StoreError) in try await body(PostgresImport(session: session)) }
    }
}

/// Another store's rows written as they are (contacts with COPY, the rest, contact overrides
/// included, in multi-row INSERTs),
/// inside the transaction of ``PostgresStore/importing(_:)``: sealed secrets and key hashes byte
/// for byte, contacts' column text unchanged, jobs with every field. Groups get their folded search keys and words made here,
/// as ``PostgresStore/replaceGroups(tenant:groups:now:)`` makes them.
package struct PostgresImport: Sendable {
    /// Parameters per statement at most: PostgreSQL takes 65,535.
    private static let parametersPerInsert = 60_000
    /// Rows per statement at most, however narrow.
    private static let rowsPerInsert = 1_000

    let session: SQLSession

    /// Takes the `tenants` table for this transaction (others may still read it, nobody else may
    /// write it until the import commits or rolls back) and returns the ids of the tenants already
    /// stored, in order. Call it first: an empty answer means nothing else can land meanwhile.
    package func lockTenants() async throws(StoreError) -> [String] {
        try await session.rows("LOCK TABLE tenants IN EXCLUSIVE MODE")
        var ids: [String] = []
        for row in try await session.rows("SELECT id FROM tenants ORDER BY id") { ids.append(try row.string(0) ?? "") }
        return ids
    }

    /// Inserts the tenants with every field, their sealed secrets and contacts generations.
    package func insert(tenants: [ExportedTenant]) async throws(StoreError) {
        try await insertRows(
            into: "tenants",
            columns: PostgresStore.tenantRowColumns + ["client_secret", "contacts_generation"],
            tenants.map { tenant in
                PostgresStore.tenantRowValues(tenant.record)
                    + [.bytes(tenant.sealedClientSecret), .integer(tenant.contactsGeneration)]
            }
        )
    }

    /// Inserts the API keys with their hashes, revocation, expiry and last use.
    package func insert(apiKeys: [ExportedAPIKey]) async throws(StoreError) {
        try await insertRows(
            into: "api_keys",
            columns: [
                "id", "tenant_id", "role", "hash", "label", "created_at", "revoked_at", "expires_at", "last_used_at",
            ],
            apiKeys.map { key in
                let record = key.record
                return [
                    .text(record.id), .text(record.tenantID), .text(record.role.rawValue), .bytes(key.hash),
                    .text(record.label), .integer(record.createdAt), .integer(record.revokedAt),
                    .integer(record.expiresAt), .integer(record.lastUsedAt),
                ]
            }
        )
    }

    /// Inserts the groups, each with its tenant's refresh time, and their search keys and words.
    package func insert(groups: [ExportedGroup]) async throws(StoreError) {
        var start = groups.startIndex
        while start < groups.endIndex {
            // A run of groups that share a tenant and a refresh time (a source lists them so).
            let first = groups[start]
            let end =
                groups[start...].firstIndex {
                    $0.tenantID != first.tenantID || $0.refreshedAt != first.refreshedAt
                } ?? groups.endIndex
            try await PostgresStore.insertGroups(
                groups[start..<end].map(\.record),
                tenant: first.tenantID,
                refreshedAt: first.refreshedAt,
                session: session
            )
            start = end
        }
    }

    /// Inserts the sync jobs with every field; at most one queued or running job per tenant.
    package func insert(jobs: [SyncJobRecord]) async throws(StoreError) {
        try await insertRows(
            into: "sync_jobs",
            columns: PostgresStore.jobRowColumns,
            jobs.map(PostgresStore.jobRowValues)
        )
    }

    /// Inserts contacts of `tenant` with their column text as given and their change times.
    package func insert(contacts: [ExportedContact], tenant: String) async throws(StoreError) {
        let fields = ContactColumns.fields.count
        if let odd = contacts.first(where: { $0.values.count != fields }) {
            throw StoreError(
                .invalidArgument,
                "contact \(odd.id) of tenant \(tenant) has \(odd.values.count) field values, not \(fields); "
                    + "export it with the same rosterd version that imports it"
            )
        }
        // COPY rather than INSERT: the bulk of a store, sent as one stream without a parameter per value.
        try await session.copy(
            into: "contacts",
            columns: ["tenant_id", "id"] + ContactColumns.fields + ["changed_at"],
            rows: contacts.map { contact in [tenant, contact.id] + contact.values + [String(contact.changedAt)] }
        )
        try await session.rows(
            "UPDATE tenants SET contact_count = contact_count + $2 WHERE id = $1",
            [.text(tenant), .int(contacts.count)]
        )
    }

    /// Inserts local overrides of `tenant`'s contacts (insert their contacts first), values as given.
    package func insert(overrides: [ContactOverrideRecord], tenant: String) async throws(StoreError) {
        try await insertRows(
            into: "contact_overrides",
            columns: ["tenant_id", "contact_id", "field", "value", "set_by_key_id", "set_by_label", "set_at"],
            overrides.map { override in
                [
                    .text(tenant), .text(override.contactID), .text(override.field.name), .text(override.value),
                    .text(override.setByKeyID), .text(override.setByLabel), .integer(override.setAt),
                ]
            }
        )
    }

    /// Inserts photos of `tenant`'s contacts (which must be in already) as they were stored.
    package func insert(photos: [ExportedPhoto], tenant: String) async throws(StoreError) {
        try await insertRows(
            into: "photos",
            columns: ["tenant_id", "contact_id", "etag", "content_type", "bytes", "changed_at"],
            photos.map { row in
                [
                    .text(tenant), .text(row.contactID), .text(row.photo.etag), .text(row.photo.contentType),
                    .bytes(row.photo.bytes), .integer(row.photo.changedAt),
                ]
            }
        )
    }

    /// How many contacts `tenant` has in this transaction's view.
    package func contactCount(tenant: String) async throws(StoreError) -> Int {
        try await session.integer("SELECT count(*) FROM contacts WHERE tenant_id = $1", [.text(tenant)])
    }

    /// Multi-row INSERTs of `rows` (each one value per column) into `table`. The SQL is built from
    /// the constant table and column names alone; every value is a parameter.
    private func insertRows(into table: String, columns: [String], _ rows: [[SQLValue]]) async throws(StoreError) {
        let width = columns.count
        let perStatement = max(1, min(Self.rowsPerInsert, Self.parametersPerInsert / width))
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            var tuples: [String] = []
            tuples.reserveCapacity(chunk.count)
            var values: [SQLValue] = []
            values.reserveCapacity(chunk.count * width)
            for row in chunk {
                tuples.append("(\(SQLValue.placeholders(from: values.count + 1, count: width)))")
                values += row
            }
            try await session.rows(
                "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(tuples.joined(separator: ", "))",
                values
            )
        }
    }
}
