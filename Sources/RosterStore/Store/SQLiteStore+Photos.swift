internal import Foundation

// Contact photos: written one by one by a sync after its apply, each in its own transaction.
extension SQLiteStore {
    package func photoETags(tenant: String) async throws(StoreError) -> [String: String] {
        try await pool.readBulk { connection throws(StoreError) in
            let select = try connection.cached("SELECT contact_id, etag FROM photos WHERE tenant_id = ?1")
            select.bind(tenant, at: 1)
            var etags: [String: String] = [:]
            while try select.step() { etags[select.string(0) ?? ""] = select.string(1) ?? "" }
            return etags
        }
    }

    package func setPhoto(_ photo: ContactPhoto?, tenant: String, contactID: String) async throws(StoreError) -> Bool {
        let logsChanges = logsChanges
        let now = photo?.changedAt ?? Int64(Date().timeIntervalSince1970 * 1_000)
        let changed = try await pool.write { connection throws(StoreError) in
            let statement: Statement
            if let photo {
                // Only beside an existing contact; the foreign key would refuse it otherwise.
                statement = try connection.cached(
                    """
                    INSERT INTO photos (tenant_id, contact_id, etag, content_type, bytes, changed_at)
                    SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM contacts WHERE tenant_id = ?1 AND id = ?2)
                    ON CONFLICT (tenant_id, contact_id) DO UPDATE SET etag = excluded.etag,
                        content_type = excluded.content_type, bytes = excluded.bytes, changed_at = excluded.changed_at
                    """
                )
                statement.bind(photo.etag, at: 3)
                statement.bind(photo.contentType, at: 4)
                statement.bind(photo.bytes, at: 5)
                statement.bind(photo.changedAt, at: 6)
            } else {
                statement = try connection.cached("DELETE FROM photos WHERE tenant_id = ?1 AND contact_id = ?2")
            }
            statement.bind(tenant, at: 1)
            statement.bind(contactID, at: 2)
            try statement.run()
            let changed = connection.changes == 1
            if changed && logsChanges {
                try Self.logChange(
                    tenant: tenant,
                    contact: contactID,
                    kind: .updated,
                    source: .photo,
                    now: now,
                    connection: connection
                )
            }
            return changed
        }
        if changed && logsChanges { changeSignal.advance(tenant: tenant) }
        return changed
    }

    package func photo(tenant: String, contactID: String) async throws(StoreError) -> ContactPhoto? {
        try await pool.read { connection throws(StoreError) in
            let select = try connection.cached(
                "SELECT etag, content_type, bytes, changed_at FROM photos WHERE tenant_id = ?1 AND contact_id = ?2"
            )
            select.bind(tenant, at: 1)
            select.bind(contactID, at: 2)
            guard try select.step() else { return nil }
            return ContactPhoto(
                etag: select.string(0) ?? "",
                contentType: select.string(1) ?? "",
                bytes: select.bytes(2) ?? [],
                changedAt: select.int64(3)
            )
        }
    }
}
