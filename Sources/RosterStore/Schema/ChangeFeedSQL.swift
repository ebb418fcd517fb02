/// The SQLite statements of the change feed (see ``ContactChangeRecord``).
///
/// The apply logs its changes with set-based statements run just before the write they describe,
/// in the same transaction and with the same predicate, so the log and the contacts never disagree.
/// Parameters as in ``ApplySQL``: ?1 tenant id, ?2 job id, ?3 the change time.
enum ChangeFeedSQL {
    /// Appends one change of `kind` per row of `ids` (a SELECT of one column named `id`), numbered
    /// after the tenant's newest change in id order. The caller then advances `change_seq` by the
    /// number of rows inserted (``advance``).
    static func log(_ kind: ContactChangeKind, ids: String) -> String {
        """
        INSERT INTO contact_changes (tenant_id, seq, contact_id, kind, source, changed_at)
        SELECT ?1, (SELECT change_seq FROM tenants WHERE id = ?1) + row_number() OVER (ORDER BY x.id), x.id,
            '\(kind.rawValue)', '\(ContactChangeSource.directory.rawValue)', ?3
        FROM (\(ids)) x
        """
    }

    /// The removals an apply of `kind` makes, before the DELETE.
    static func logRemovals(_ kind: ApplyKind) -> String {
        log(.removed, ids: "SELECT c.id AS id FROM contacts c WHERE \(ApplySQL.removeWhere(kind))")
    }

    /// The updates, before the UPDATE.
    static let logUpdates = log(.updated, ids: "SELECT s.contact_id AS id \(ApplySQL.updateFrom)")

    /// The additions, before the INSERT.
    static let logAdds = log(.added, ids: "SELECT s.contact_id AS id \(ApplySQL.addFrom)")

    /// ?1 tenant, ?2 how many changes were just logged.
    static let advance = "UPDATE tenants SET change_seq = change_seq + ?2 WHERE id = ?1"

    /// One change outside the apply (an override or a photo): ?1 tenant, ?2 contact id, ?3 time,
    /// ?4 kind, ?5 source. Followed by ``advance`` with 1.
    static let logOne = """
        INSERT INTO contact_changes (tenant_id, seq, contact_id, kind, source, changed_at)
        SELECT ?1, change_seq + 1, ?2, ?4, ?5, ?3 FROM tenants WHERE id = ?1
        """

    /// ?1 tenant: its newest change and the newest one pruned.
    static let bounds = "SELECT change_seq, change_floor FROM tenants WHERE id = ?1"

    /// ?1 tenant, ?2 cursor, ?3 limit: the changes after the cursor with their contacts as they are.
    static let page = """
        SELECT ch.seq, ch.contact_id, ch.kind, ch.source, ch.changed_at,
            c.id, \(ContactColumns.list(prefix: "c")), c.changed_at, \(ContactColumns.photoETag(of: "c"))
        FROM contact_changes ch LEFT JOIN contacts c ON c.tenant_id = ch.tenant_id AND c.id = ch.contact_id
        WHERE ch.tenant_id = ?1 AND ch.seq > ?2
        ORDER BY ch.seq LIMIT ?3
        """

    /// ?1 cutoff time: raises each tenant's floor to its newest change committed before the cutoff.
    static let raiseFloors = """
        UPDATE tenants SET change_floor = (
            SELECT max(seq) FROM contact_changes WHERE tenant_id = tenants.id AND changed_at < ?1
        )
        WHERE EXISTS (SELECT 1 FROM contact_changes WHERE tenant_id = tenants.id AND changed_at < ?1)
        """

    /// Deletes every change at or below its tenant's floor.
    static let prune = """
        DELETE FROM contact_changes
        WHERE seq <= (SELECT change_floor FROM tenants WHERE tenants.id = contact_changes.tenant_id)
        """
}
