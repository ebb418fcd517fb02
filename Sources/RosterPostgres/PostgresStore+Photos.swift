internal import Foundation
package import RosterStore

// Contact photos: written one by one by a sync after its apply, each in its own transaction.
extension PostgresStore {
    package func photoETags(tenant: String) async throws(StoreError) -> [String: String] {
        var etags: [String: String] = [:]
        for row in try await session.rows(
            "SELECT contact_id, etag FROM photos WHERE tenant_id = $1",
            [.text(tenant)]
        ) {
            etags[try row.string(0) ?? ""] = try row.string(1) ?? ""
        }
        return etags
    }

    package func setPhoto(_ photo: ContactPhoto?, tenant: String, contactID: String) async throws(StoreError) -> Bool {
        let gone = StoreError(.notFound, "contact \(contactID) of tenant \(tenant) was removed")
        let logsChanges = configuration.logsChanges
        let now = photo?.changedAt ?? Int64(Date().timeIntervalSince1970 * 1_000)
        do {
            let logged = try await transaction { session throws(StoreError) in
                let changed: [SQLRow]
                if let photo {
                    // Only beside an existing contact; an apply removing it meanwhile makes the
                    // foreign key refuse the row (23503), which is the same answer.
                    changed = try await session.rows(
                        """
                        INSERT INTO photos (tenant_id, contact_id, etag, content_type, bytes, changed_at)
                        SELECT $1, $2, $3, $4, $5, $6
                        WHERE EXISTS (SELECT 1 FROM contacts WHERE tenant_id = $1 AND id = $2)
                        ON CONFLICT (tenant_id, contact_id) DO UPDATE SET etag = excluded.etag,
                            content_type = excluded.content_type, bytes = excluded.bytes,
                            changed_at = excluded.changed_at
                        RETURNING 1
                        """,
                        [
                            .text(tenant), .text(contactID), .text(photo.etag), .text(photo.contentType),
                            .bytes(photo.bytes), .integer(photo.changedAt),
                        ],
                        violations: ["23503": gone]
                    )
                } else {
                    changed = try await session.rows(
                        "DELETE FROM photos WHERE tenant_id = $1 AND contact_id = $2 RETURNING 1",
                        [.text(tenant), .text(contactID)]
                    )
                }
                if !changed.isEmpty && logsChanges {
                    try await Self.logChange(
                        tenant: tenant,
                        contact: contactID,
                        kind: .updated,
                        source: .photo,
                        now: now,
                        session: session
                    )
                }
                return !changed.isEmpty
            }
            if logged && logsChanges { changeSignal.advance(tenant: tenant) }
            return logged
        } catch let error where error == gone {
            return false
        }
    }

    package func photo(tenant: String, contactID: String) async throws(StoreError) -> ContactPhoto? {
        try await session.first(
            "SELECT etag, content_type, bytes, changed_at FROM photos WHERE tenant_id = $1 AND contact_id = $2",
            [.text(tenant), .text(contactID)]
        ).map { row throws(StoreError) in
            ContactPhoto(
                etag: try row.string(0) ?? "",
                contentType: try row.string(1) ?? "",
                bytes: try row.bytes(2) ?? [],
                changedAt: try row.int64(3)
            )
        }
    }
}
