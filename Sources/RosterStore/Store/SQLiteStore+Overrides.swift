internal import Foundation

// Local overrides of contact fields: each set or clear is one write transaction of its own; the
// apply step never touches them, and a removed contact's go with it (the table's foreign key).
extension SQLiteStore {
    /// The columns an override is read from, in ``readOverride(_:)``'s order.
    static let overrideColumns = "contact_id, field, value, set_by_key_id, set_by_label, set_at"

    package func setContactOverride(tenant: String, _ override: ContactOverrideRecord) async throws(StoreError)
        -> OverriddenContact
    {
        let logsChanges = logsChanges
        let contact = try await pool.write { connection throws(StoreError) in
            guard let contact = try Self.contact(tenant: tenant, id: override.contactID, connection: connection) else {
                throw Self.noContact(override.contactID, tenant: tenant)
            }
            let upsert = try connection.cached(
                """
                INSERT INTO contact_overrides (tenant_id, contact_id, field, value, set_by_key_id, set_by_label, set_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT (tenant_id, contact_id, field) DO UPDATE SET value = excluded.value,
                    set_by_key_id = excluded.set_by_key_id, set_by_label = excluded.set_by_label,
                    set_at = excluded.set_at
                """
            )
            upsert.bind(tenant, at: 1)
            upsert.bind(override.contactID, at: 2)
            upsert.bind(override.field.name, at: 3)
            upsert.bind(override.value, at: 4)
            upsert.bind(override.setByKeyID, at: 5)
            upsert.bind(override.setByLabel, at: 6)
            upsert.bind(override.setAt, at: 7)
            try upsert.run()
            try Self.bumpContactsGeneration(tenant: tenant, connection: connection)
            if logsChanges {
                try Self.logChange(
                    tenant: tenant,
                    contact: contact.id,
                    kind: .updated,
                    source: .override,
                    now: override.setAt,
                    connection: connection
                )
            }
            return OverriddenContact(
                directory: contact,
                overrides: try Self.overrides(tenant: tenant, contactID: contact.id, connection: connection)
            )
        }
        if logsChanges { changeSignal.advance(tenant: tenant) }
        return contact
    }

    package func clearContactOverride(tenant: String, contactID: String, field: ContactField)
        async throws(StoreError) -> (contact: OverriddenContact, removed: Bool)
    {
        let logsChanges = logsChanges
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let cleared: (contact: OverriddenContact, removed: Bool) = try await pool.write {
            connection throws(StoreError) in
            guard let contact = try Self.contact(tenant: tenant, id: contactID, connection: connection) else {
                throw Self.noContact(contactID, tenant: tenant)
            }
            let delete = try connection.cached(
                "DELETE FROM contact_overrides WHERE tenant_id = ?1 AND contact_id = ?2 AND field = ?3"
            )
            delete.bind(tenant, at: 1)
            delete.bind(contactID, at: 2)
            delete.bind(field.name, at: 3)
            try delete.run()
            let removed = connection.changes > 0
            if removed {
                try Self.bumpContactsGeneration(tenant: tenant, connection: connection)
                if logsChanges {
                    try Self.logChange(
                        tenant: tenant,
                        contact: contactID,
                        kind: .updated,
                        source: .override,
                        now: now,
                        connection: connection
                    )
                }
            }
            let overrides = try Self.overrides(tenant: tenant, contactID: contactID, connection: connection)
            return (OverriddenContact(directory: contact, overrides: overrides), removed)
        }
        if logsChanges && cleared.removed { changeSignal.advance(tenant: tenant) }
        return cleared
    }

    package func contactOverrides(tenant: String, contactIDs: [String]) async throws(StoreError)
        -> [String: [ContactOverrideRecord]]
    {
        guard !contactIDs.isEmpty else { return [:] }
        return try await pool.readBulk { connection throws(StoreError) in
            var found: [String: [ContactOverrideRecord]] = [:]
            // Most tenants have no override at all: one probe, instead of one per contact.
            let any = try connection.cached("SELECT EXISTS (SELECT 1 FROM contact_overrides WHERE tenant_id = ?1)")
            any.bind(tenant, at: 1)
            guard try any.step(), any.int64(0) == 1 else { return found }
            for id in Set(contactIDs) {
                let overrides = try Self.overrides(tenant: tenant, contactID: id, connection: connection)
                if !overrides.isEmpty { found[id] = overrides }
            }
            return found
        }
    }

    package func contactOverrides(tenant: String) async throws(StoreError) -> [String: [ContactOverrideRecord]] {
        try await pool.readBulk { connection throws(StoreError) in
            try Self.allOverrides(tenant: tenant, connection: connection)
        }
    }

    /// Every override of the tenant's contacts, by contact id.
    static func allOverrides(tenant: String, connection: Connection) throws(StoreError)
        -> [String: [ContactOverrideRecord]]
    {
        let select = try connection.cached(
            "SELECT \(overrideColumns) FROM contact_overrides WHERE tenant_id = ?1 ORDER BY contact_id, field"
        )
        select.bind(tenant, at: 1)
        var found: [String: [ContactOverrideRecord]] = [:]
        while try select.step() {
            if let override = readOverride(select) { found[override.contactID, default: []].append(override) }
        }
        return found
    }

    /// The overrides of one contact, by field name.
    private static func overrides(tenant: String, contactID: String, connection: Connection) throws(StoreError)
        -> [ContactOverrideRecord]
    {
        let select = try connection.cached(
            "SELECT \(overrideColumns) FROM contact_overrides WHERE tenant_id = ?1 AND contact_id = ?2 ORDER BY field"
        )
        select.bind(tenant, at: 1)
        select.bind(contactID, at: 2)
        var overrides: [ContactOverrideRecord] = []
        while try select.step() {
            if let override = readOverride(select) { overrides.append(override) }
        }
        return overrides
    }

    /// An override from a row of ``overrideColumns``; nil for a field name this version does not
    /// know (a newer rosterd's, which this one's migrations would have refused anyway).
    static func readOverride(_ row: Statement) -> ContactOverrideRecord? {
        guard let field = ContactField(name: row.string(1) ?? "") else { return nil }
        return ContactOverrideRecord(
            contactID: row.string(0) ?? "",
            field: field,
            value: row.string(2),
            setByKeyID: row.string(3) ?? "",
            setByLabel: row.string(4) ?? "",
            setAt: row.int64(5)
        )
    }

    /// The contact `id` as stored, read on `connection` (inside the caller's transaction).
    private static func contact(tenant: String, id: String, connection: Connection) throws(StoreError)
        -> ContactRecord?
    {
        let select = try connection.cached(
            "SELECT id, \(ContactColumns.list), changed_at FROM contacts WHERE tenant_id = ?1 AND id = ?2"
        )
        select.bind(tenant, at: 1)
        select.bind(id, at: 2)
        return try select.step() ? ContactColumns.read(select, idColumn: 0) : nil
    }

    /// Moves the tenant's contacts generation on, so in-memory search indexes know they are stale.
    private static func bumpContactsGeneration(tenant: String, connection: Connection) throws(StoreError) {
        let bump = try connection.cached(
            "UPDATE tenants SET contacts_generation = contacts_generation + 1 WHERE id = ?1"
        )
        bump.bind(tenant, at: 1)
        try bump.run()
    }

    static func noContact(_ id: String, tenant: String) -> StoreError {
        StoreError(
            .notFound,
            "tenant \(tenant) has no contact with id \(id); it may be outside the sync scope, or not synced yet"
        )
    }
}
