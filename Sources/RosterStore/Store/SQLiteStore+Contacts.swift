// Reading contacts (they are written only by the apply step).
extension SQLiteStore {
    private static let select =
        "SELECT id, \(ContactColumns.list), changed_at, \(ContactColumns.photoETag(of: "contacts")) FROM contacts"

    package func contact(tenant: String, id: String) async throws(StoreError) -> ContactRecord? {
        try await pool.read { connection throws(StoreError) in
            let statement = try connection.cached("\(Self.select) WHERE tenant_id = ?1 AND id = ?2")
            statement.bind(tenant, at: 1)
            statement.bind(id, at: 2)
            return try statement.step() ? ContactColumns.read(statement, idColumn: 0) : nil
        }
    }

    package func contacts(tenant: String, ids: [String]) async throws(StoreError) -> [String: ContactRecord] {
        guard !ids.isEmpty else { return [:] }
        return try await pool.readBulk { connection throws(StoreError) in
            let statement = try connection.cached("\(Self.select) WHERE tenant_id = ?1 AND id = ?2")
            var found: [String: ContactRecord] = [:]
            for id in ids where found[id] == nil {
                statement.reset()
                statement.bind(tenant, at: 1)
                statement.bind(id, at: 2)
                if try statement.step() { found[id] = ContactColumns.read(statement, idColumn: 0) }
            }
            return found
        }
    }

    package func contact(tenant: String, address: String) async throws(StoreError) -> ContactRecord? {
        try await contact(tenant: tenant, address: address, columns: ["mail", "user_principal_name"])
    }

    package func contact(tenant: String, userPrincipalName: String) async throws(StoreError) -> ContactRecord? {
        try await contact(tenant: tenant, address: userPrincipalName, columns: ["user_principal_name"])
    }

    /// The first contact whose `columns` (tried in order) equal `address`, ignoring case.
    private func contact(tenant: String, address: String, columns: [String]) async throws(StoreError) -> ContactRecord?
    {
        try await pool.read { connection throws(StoreError) in
            // Mail first: it is what signature services look people up by.
            for column in columns {
                let statement = try connection.cached(
                    "\(Self.select) WHERE tenant_id = ?1 AND \(column) = ?2 COLLATE NOCASE ORDER BY id LIMIT 1"
                )
                statement.bind(tenant, at: 1)
                statement.bind(address, at: 2)
                if try statement.step() { return ContactColumns.read(statement, idColumn: 0) }
            }
            return nil
        }
    }

    package func contacts(tenant: String, after: String?, limit: Int) async throws(StoreError) -> [ContactRecord] {
        try await pool.readBulk { connection throws(StoreError) in
            let statement = try connection.cached(
                "\(Self.select) WHERE tenant_id = ?1 AND id > ?2 ORDER BY tenant_id, id LIMIT ?3"
            )
            statement.bind(tenant, at: 1)
            statement.bind(after ?? "", at: 2)
            statement.bind(max(0, limit), at: 3)
            var contacts: [ContactRecord] = []
            while try statement.step() { contacts.append(ContactColumns.read(statement, idColumn: 0)) }
            return contacts
        }
    }

    package func contactsGeneration(tenant: String) async throws(StoreError) -> Int64 {
        try await pool.read { connection throws(StoreError) in
            let statement = try connection.cached("SELECT contacts_generation FROM tenants WHERE id = ?1")
            statement.bind(tenant, at: 1)
            return try statement.step() ? statement.int64(0) : 0
        }
    }

    package func contactCount(tenant: String) async throws(StoreError) -> Int {
        try await pool.read { connection throws(StoreError) in
            try Self.count(tenant: tenant, connection: connection)
        }
    }

    static func count(tenant: String, connection: Connection) throws(StoreError) -> Int {
        let statement = try connection.cached("SELECT count(*) FROM contacts WHERE tenant_id = ?1")
        statement.bind(tenant, at: 1)
        try statement.step()
        return statement.int(0)
    }
}
