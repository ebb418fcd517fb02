internal import Foundation
package import RosterStore

// Local overrides of contact fields: each set or clear is one transaction of its own; the apply
// step never touches them, and a removed contact's go with it (the table's foreign key).
extension PostgresStore {
    /// The columns an override is read from, in ``readOverride(_:)``'s order.
    static let overrideColumns = "contact_id, field, value, set_by_key_id, set_by_label, set_at"

    package func setContactOverride(tenant: String, _ override: ContactOverrideRecord) async throws(StoreError)
        -> OverriddenContact
    {
        let logsChanges = configuration.logsChanges
        let contact = try await transaction { session throws(StoreError) in
            let contact = try await Self.lockContact(tenant: tenant, id: override.contactID, session: session)
            try await session.rows(
                """
                INSERT INTO contact_overrides (tenant_id, contact_id, field, value, set_by_key_id, set_by_label, set_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (tenant_id, contact_id, field) DO UPDATE SET value = excluded.value,
                    set_by_key_id = excluded.set_by_key_id, set_by_label = excluded.set_by_label,
                    set_at = excluded.set_at
                """,
                [
                    .text(tenant), .text(override.contactID), .text(override.field.name), .text(override.value),
                    .text(override.setByKeyID), .text(override.setByLabel), .integer(override.setAt),
                ]
            )
            try await Self.bumpContactsGeneration(tenant: tenant, session: session)
            if logsChanges {
                try await Self.logChange(
                    tenant: tenant,
                    contact: contact.id,
                    kind: .updated,
                    source: .override,
                    now: override.setAt,
                    session: session
                )
            }
            return OverriddenContact(
                directory: contact,
                overrides: try await Self.overrides(tenant: tenant, contactIDs: [contact.id], session: session)[
                    contact.id
                ] ?? []
            )
        }
        if logsChanges { changeSignal.advance(tenant: tenant) }
        return contact
    }

    package func clearContactOverride(tenant: String, contactID: String, field: ContactField)
        async throws(StoreError) -> (contact: OverriddenContact, removed: Bool)
    {
        let logsChanges = configuration.logsChanges
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        let cleared: (contact: OverriddenContact, removed: Bool) = try await transaction { session throws(StoreError) in
            let contact = try await Self.lockContact(tenant: tenant, id: contactID, session: session)
            let removed = try await session.integer(
                """
                WITH gone AS (
                    DELETE FROM contact_overrides WHERE tenant_id = $1 AND contact_id = $2 AND field = $3 RETURNING 1
                ) SELECT count(*) FROM gone
                """,
                [.text(tenant), .text(contactID), .text(field.name)]
            )
            if removed > 0 {
                try await Self.bumpContactsGeneration(tenant: tenant, session: session)
                if logsChanges {
                    try await Self.logChange(
                        tenant: tenant,
                        contact: contactID,
                        kind: .updated,
                        source: .override,
                        now: now,
                        session: session
                    )
                }
            }
            let overrides = try await Self.overrides(tenant: tenant, contactIDs: [contactID], session: session)
            return (OverriddenContact(directory: contact, overrides: overrides[contactID] ?? []), removed > 0)
        }
        if logsChanges && cleared.removed { changeSignal.advance(tenant: tenant) }
        return cleared
    }

    package func contactOverrides(tenant: String, contactIDs: [String]) async throws(StoreError)
        -> [String: [ContactOverrideRecord]]
    {
        guard !contactIDs.isEmpty else { return [:] }
        return try await Self.overrides(tenant: tenant, contactIDs: contactIDs, session: session)
    }

    package func contactOverrides(tenant: String) async throws(StoreError) -> [String: [ContactOverrideRecord]] {
        var found: [String: [ContactOverrideRecord]] = [:]
        let rows = try await session.rows(
            "SELECT \(Self.overrideColumns) FROM contact_overrides WHERE tenant_id = $1 ORDER BY contact_id, field",
            [.text(tenant)]
        )
        for row in rows {
            if let override = try Self.readOverride(row) { found[override.contactID, default: []].append(override) }
        }
        return found
    }

    /// The overrides of the contacts `contactIDs`, by contact id, each contact's by field name.
    private static func overrides(tenant: String, contactIDs: [String], session: SQLSession)
        async throws(StoreError) -> [String: [ContactOverrideRecord]]
    {
        var found: [String: [ContactOverrideRecord]] = [:]
        let rows = try await session.rows(
            """
            SELECT \(overrideColumns) FROM contact_overrides WHERE tenant_id = $1 AND contact_id = ANY($2::text[])
            ORDER BY contact_id, field
            """,
            [.text(tenant), .textArray(Array(Set(contactIDs)))]
        )
        for row in rows {
            if let override = try readOverride(row) { found[override.contactID, default: []].append(override) }
        }
        return found
    }

    /// Locks the tenant's row first, in the order an apply takes its locks (so the two take turns
    /// instead of deadlocking), then reads the contact and keeps it from being deleted until the
    /// transaction ends. `.notFound` when the tenant has no such contact.
    private static func lockContact(tenant: String, id: String, session: SQLSession) async throws(StoreError)
        -> ContactRecord
    {
        guard try await session.first("SELECT 1 FROM tenants WHERE id = $1 FOR NO KEY UPDATE", [.text(tenant)]) != nil
        else { throw noTenant(tenant) }
        guard
            let row = try await session.first(
                "\(select) WHERE tenant_id = $1 AND id = $2 FOR KEY SHARE",
                [.text(tenant), .text(id)]
            )
        else {
            throw StoreError(
                .notFound,
                "tenant \(tenant) has no contact with id \(id); it may be outside the sync scope, or not synced yet"
            )
        }
        return try readContact(row)
    }

    /// Moves the tenant's contacts generation on, so in-memory search indexes know they are stale.
    private static func bumpContactsGeneration(tenant: String, session: SQLSession) async throws(StoreError) {
        try await session.rows(
            "UPDATE tenants SET contacts_generation = contacts_generation + 1 WHERE id = $1",
            [.text(tenant)]
        )
    }

    /// An override from a row of ``overrideColumns``; nil for a field name this version does not know.
    static func readOverride(_ row: SQLRow) throws(StoreError) -> ContactOverrideRecord? {
        guard let field = ContactField(name: try row.string(1) ?? "") else { return nil }
        return ContactOverrideRecord(
            contactID: try row.string(0) ?? "",
            field: field,
            value: try row.string(2),
            setByKeyID: try row.string(3) ?? "",
            setByLabel: try row.string(4) ?? "",
            setAt: try row.int64(5)
        )
    }
}
