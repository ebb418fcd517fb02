// Reading every row as stored, for `rosterd migrate-store` (the store is not changed).
extension SQLiteStore {
    /// Every tenant, API key, cached group and sync job, read in one snapshot (one read transaction).
    /// Client secrets stay sealed and key hashes are read as stored. Contacts are read apart, page
    /// by page, with ``exportContacts(tenant:after:limit:)``.
    package func exportRows() async throws(StoreError) -> StoreExport {
        try await pool.readBulk { connection throws(StoreError) in
            StoreExport(
                tenants: try Self.exportTenants(connection),
                apiKeys: try Self.exportAPIKeys(connection),
                groups: try Self.exportGroups(connection),
                jobs: try Self.exportJobs(connection)
            )
        }
    }

    /// Up to `limit` of the tenant's contacts with ids greater than `after`, by id, with every
    /// column's text exactly as stored (keyset paging: pass the last id of a page to get the next).
    package func exportContacts(tenant: String, after: String?, limit: Int) async throws(StoreError)
        -> [ExportedContact]
    {
        try await pool.readBulk { connection throws(StoreError) in
            let select = try connection.cached(
                """
                SELECT id, \(ContactColumns.list), changed_at FROM contacts
                WHERE tenant_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3
                """
            )
            select.bind(tenant, at: 1)
            // Every id sorts after "" (BINARY collation), so the first page starts there.
            select.bind(after ?? "", at: 2)
            select.bind(max(0, limit), at: 3)
            let fields = Int32(ContactColumns.fields.count)
            var contacts: [ExportedContact] = []
            while try select.step() {
                contacts.append(
                    ExportedContact(
                        id: select.string(0) ?? "",
                        values: (1...fields).map { select.string($0) },
                        changedAt: select.int64(fields + 1)
                    )
                )
            }
            return contacts
        }
    }

    /// Every override of the tenant's contacts, by contact id and field, values as stored.
    package func exportContactOverrides(tenant: String) async throws(StoreError) -> [ContactOverrideRecord] {
        try await pool.readBulk { connection throws(StoreError) in
            try Self.allOverrides(tenant: tenant, connection: connection).sorted { $0.key < $1.key }.flatMap(\.value)
        }
    }

    /// Up to `limit` of the tenant's photos with contact ids greater than `after`, by contact id
    /// (keyset paging, as ``exportContacts(tenant:after:limit:)``).
    package func exportPhotos(tenant: String, after: String?, limit: Int) async throws(StoreError) -> [ExportedPhoto] {
        try await pool.readBulk { connection throws(StoreError) in
            let select = try connection.cached(
                """
                SELECT contact_id, etag, content_type, bytes, changed_at FROM photos
                WHERE tenant_id = ?1 AND contact_id > ?2 ORDER BY contact_id LIMIT ?3
                """
            )
            select.bind(tenant, at: 1)
            select.bind(after ?? "", at: 2)
            select.bind(max(0, limit), at: 3)
            var photos: [ExportedPhoto] = []
            while try select.step() {
                photos.append(
                    ExportedPhoto(
                        contactID: select.string(0) ?? "",
                        photo: ContactPhoto(
                            etag: select.string(1) ?? "",
                            contentType: select.string(2) ?? "",
                            bytes: select.bytes(3) ?? [],
                            changedAt: select.int64(4)
                        )
                    )
                )
            }
            return photos
        }
    }

    private static func exportTenants(_ connection: Connection) throws(StoreError) -> [ExportedTenant] {
        let select = try connection.cached(
            "SELECT \(tenantColumns), client_secret, contacts_generation FROM tenants ORDER BY id"
        )
        let extra = columnCount(tenantColumns)
        var tenants: [ExportedTenant] = []
        while try select.step() {
            tenants.append(
                ExportedTenant(
                    record: try readTenant(select),
                    sealedClientSecret: select.bytes(extra),
                    contactsGeneration: select.int64(extra + 1)
                )
            )
        }
        return tenants
    }

    private static func exportAPIKeys(_ connection: Connection) throws(StoreError) -> [ExportedAPIKey] {
        let select = try connection.cached(
            "SELECT \(keyColumns), hash FROM api_keys ORDER BY tenant_id, created_at, id"
        )
        let hashColumn = columnCount(keyColumns)
        var keys: [ExportedAPIKey] = []
        while try select.step() {
            keys.append(ExportedAPIKey(record: try readKey(select), hash: select.bytes(hashColumn) ?? []))
        }
        return keys
    }

    private static func exportGroups(_ connection: Connection) throws(StoreError) -> [ExportedGroup] {
        let select = try connection.cached(
            "SELECT \(groupColumns), g.refreshed_at, g.tenant_id FROM groups g ORDER BY g.tenant_id, g.id"
        )
        let refreshedColumn = columnCount(groupColumns)
        var groups: [ExportedGroup] = []
        while try select.step() {
            groups.append(
                ExportedGroup(
                    tenantID: select.string(refreshedColumn + 1) ?? "",
                    record: try readGroup(select),
                    refreshedAt: select.int64(refreshedColumn)
                )
            )
        }
        return groups
    }

    private static func exportJobs(_ connection: Connection) throws(StoreError) -> [SyncJobRecord] {
        let select = try connection.cached("SELECT \(jobColumns) FROM sync_jobs ORDER BY tenant_id, created_at, id")
        var jobs: [SyncJobRecord] = []
        while try select.step() { jobs.append(try readJob(select)) }
        return jobs
    }

    /// How many columns a shared column list selects (each is a name or an expression without a
    /// comma): the index of the first column selected after it.
    private static func columnCount(_ list: String) -> Int32 {
        Int32(list.split(separator: ",").count)
    }
}
