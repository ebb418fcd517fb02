package import RosterStore

// Reading contacts (they are written only by the apply step).
extension PostgresStore {
    static let select =
        "SELECT id, \(ContactColumns.list), changed_at, \(ContactColumns.photoETag(of: "contacts")) FROM contacts"

    package func contact(tenant: String, id: String) async throws(StoreError) -> ContactRecord? {
        try await session.first("\(Self.select) WHERE tenant_id = $1 AND id = $2", [.text(tenant), .text(id)]).map {
            row throws(StoreError) in try Self.readContact(row)
        }
    }

    package func contacts(tenant: String, ids: [String]) async throws(StoreError) -> [String: ContactRecord] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await session.rows(
            "\(Self.select) WHERE tenant_id = $1 AND id = ANY($2::text[])",
            [.text(tenant), .textArray(Array(Set(ids)))]
        )
        var found: [String: ContactRecord] = [:]
        for row in rows {
            let contact = try Self.readContact(row)
            found[contact.id] = contact
        }
        return found
    }

    package func contact(tenant: String, address: String) async throws(StoreError) -> ContactRecord? {
        try await contact(tenant: tenant, address: address, columns: ["mail", "user_principal_name"])
    }

    package func contact(tenant: String, userPrincipalName: String) async throws(StoreError) -> ContactRecord? {
        try await contact(tenant: tenant, address: userPrincipalName, columns: ["user_principal_name"])
    }

    /// The first contact whose `columns` (tried in order) equal `address`, ignoring ASCII case as
    /// SQLite's NOCASE does (lower() under the "C" collation folds A-Z only).
    private func contact(tenant: String, address: String, columns: [String]) async throws(StoreError) -> ContactRecord?
    {
        // Mail first: it is what signature services look people up by.
        for column in columns {
            let row = try await session.first(
                """
                \(Self.select) WHERE tenant_id = $1 AND lower(\(column) COLLATE "C") = lower($2 COLLATE "C")
                ORDER BY id LIMIT 1
                """,
                [.text(tenant), .text(address)]
            )
            if let row { return try Self.readContact(row) }
        }
        return nil
    }

    package func contacts(tenant: String, after: String?, limit: Int) async throws(StoreError) -> [ContactRecord] {
        var contacts: [ContactRecord] = []
        let rows = try await session.rows(
            "\(Self.select) WHERE tenant_id = $1 AND id > $2 ORDER BY tenant_id, id LIMIT $3",
            [.text(tenant), .text(after ?? ""), .int(max(0, limit))]
        )
        for row in rows { contacts.append(try Self.readContact(row)) }
        return contacts
    }

    package func contactsGeneration(tenant: String) async throws(StoreError) -> Int64 {
        try await session.first("SELECT contacts_generation FROM tenants WHERE id = $1", [.text(tenant)]).map {
            row throws(StoreError) in try row.int64(0)
        } ?? 0
    }

    /// The count the tenant's row keeps (the last apply's or import's), not a count of the rows.
    package func contactCount(tenant: String) async throws(StoreError) -> Int {
        try await session.first("SELECT contact_count FROM tenants WHERE id = $1", [.text(tenant)]).map {
            row throws(StoreError) in try row.int(0)
        } ?? 0
    }

    static func count(tenant: String, session: SQLSession) async throws(StoreError) -> Int {
        try await session.integer(PostgresApplySQL.countContacts, [.text(tenant)])
    }

    /// A contact from `id, fields…, changed_at, photo etag` starting at column `first`.
    static func readContact(_ row: SQLRow, from first: Int = 0) throws(StoreError) -> ContactRecord {
        let count = ContactColumns.fields.count
        var values: [String?] = []
        values.reserveCapacity(count)
        for index in 1...count { values.append(try row.string(first + index)) }
        var contact = ContactColumns.record(
            id: try row.string(first) ?? "",
            values: values,
            changedAt: try row.int64(first + count + 1)
        )
        contact.photoETag = try row.string(first + count + 2)
        return contact
    }
}
