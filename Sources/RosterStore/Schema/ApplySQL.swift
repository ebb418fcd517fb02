/// The statements of the apply step and its dry run, built once from constant column names.
///
/// Parameters everywhere: ?1 tenant id, ?2 job id, ?3 the change time (a statement that does not
/// use one ignores its binding). The job's staging is first loaded into `temp.apply_rows`, one row
/// per contact keyed by id (the last staged version wins), in the connection's in-memory temp
/// database; `s` is that table, `c` the tenant's contacts. Set-based statements let SQLite walk both
/// in id order instead of round-tripping every row through Swift.
enum ApplySQL {
    /// Creates the connection's work table if needed (TEMP: private to the connection, never in the WAL).
    static let createWorkTable = """
        CREATE TEMP TABLE IF NOT EXISTS apply_rows (
            contact_id TEXT PRIMARY KEY NOT NULL,
            removal INTEGER NOT NULL,
            \(ContactColumns.definitions)
        ) WITHOUT ROWID
        """

    /// Loads the job's staging into the work table; in arrival order, so a later row replaces an earlier one.
    static let load = """
        INSERT OR REPLACE INTO temp.apply_rows (contact_id, removal, \(ContactColumns.list))
        SELECT contact_id, removal, \(ContactColumns.list) FROM staging WHERE job_id = ?2 ORDER BY seq
        """

    static let clearWorkTable = "DELETE FROM temp.apply_rows"

    /// Staged rows that are not yet contacts.
    static let addFrom = """
        FROM temp.apply_rows s WHERE s.removal = 0
            AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.tenant_id = ?1 AND c.id = s.contact_id)
        """
    /// Staged rows whose contact differs in any field. CROSS JOIN keeps the staged rows outside:
    /// without table statistics SQLite would walk every contact of the tenant through an index
    /// and probe the (small, for a delta) staging for each (34 ms instead of 0.2 ms at 100,000).
    static let updateFrom = """
        FROM temp.apply_rows s CROSS JOIN contacts c ON c.tenant_id = ?1 AND c.id = s.contact_id
        WHERE s.removal = 0 AND \(ContactColumns.differs("c", "s"))
        """

    /// Contacts the apply removes.
    static func removeWhere(_ kind: ApplyKind) -> String {
        switch kind {
        case .replaceAll:
            "c.tenant_id = ?1 AND NOT EXISTS (SELECT 1 FROM temp.apply_rows s WHERE s.contact_id = c.id AND s.removal = 0)"
        case .incremental:
            // Driven from the (small) set of removals: one primary-key probe each, not a scan of all contacts.
            "c.tenant_id = ?1 AND c.id IN (SELECT s.contact_id FROM temp.apply_rows s WHERE s.removal = 1)"
        }
    }

    // MARK: - Apply

    static func delete(_ kind: ApplyKind) -> String { "DELETE FROM contacts AS c WHERE \(removeWhere(kind))" }

    /// The `c.id IN (…)` term makes SQLite drive the update from the staged rows through the primary
    /// key; without table statistics it would otherwise walk every contact of the tenant.
    static let update = """
        UPDATE contacts AS c SET \(ContactColumns.assignments(from: "s")), changed_at = ?3
        FROM temp.apply_rows s
        WHERE s.removal = 0 AND c.tenant_id = ?1 AND c.id = s.contact_id
            AND c.id IN (SELECT contact_id FROM temp.apply_rows WHERE removal = 0)
            AND \(ContactColumns.differs("c", "s"))
        """

    static let insert = """
        INSERT INTO contacts (tenant_id, id, \(ContactColumns.list), changed_at)
        SELECT ?1, s.contact_id, \(ContactColumns.list(prefix: "s")), ?3 \(addFrom) ORDER BY s.contact_id
        """

    static let countUpserts = "SELECT count(*) FROM temp.apply_rows WHERE removal = 0"

    static let dropStaging = "DELETE FROM staging WHERE job_id = ?2"

    /// Whether any other job has staged rows (two index range probes).
    static let otherJobsStaged = """
        SELECT EXISTS (SELECT 1 FROM staging WHERE job_id < ?2) OR EXISTS (SELECT 1 FROM staging WHERE job_id > ?2)
        """

    /// Empties staging; with no WHERE clause SQLite drops the table's pages at once instead of
    /// deleting row by row (its truncate optimization). Only when no other job has staged rows.
    static let truncateStaging = "DELETE FROM staging"

    // MARK: - Dry run

    static let countAdds = "SELECT count(*) \(addFrom)"
    static let countUpdates = "SELECT count(*) \(updateFrom)"
    static func countRemovals(_ kind: ApplyKind) -> String {
        "SELECT count(*) FROM contacts c WHERE \(removeWhere(kind))"
    }

    static let sampleAdds = "SELECT s.contact_id, s.display_name, s.mail \(addFrom) ORDER BY s.contact_id LIMIT ?3"
    static let sampleUpdates =
        "SELECT s.contact_id, s.display_name, s.mail \(updateFrom) ORDER BY s.contact_id LIMIT ?3"
    static func sampleRemovals(_ kind: ApplyKind) -> String {
        "SELECT c.id, c.display_name, c.mail FROM contacts c WHERE \(removeWhere(kind)) ORDER BY c.id LIMIT ?3"
    }

    // MARK: - Staging

    static let stageUpsert = """
        INSERT INTO staging (job_id, contact_id, removal, \(ContactColumns.list))
        VALUES (?1, ?2, 0, \(ContactColumns.placeholders(from: 3)))
        """
    static let stageRemoval = "INSERT INTO staging (job_id, contact_id, removal) VALUES (?1, ?2, 1)"
}
