internal import RosterStore

/// The statements of the PostgreSQL apply step and its dry run, built once from constant column names.
///
/// The job's staging is first loaded into `apply_rows`, a temporary table dropped at commit, one row
/// per contact (the last staged version wins); `s` is that table, `c` the tenant's contacts. Every
/// statement is set-based: PostgreSQL joins both sides itself instead of Swift round-tripping rows.
/// Parameters: $1 tenant id, and $2 the change time or the sample limit. A tenant without contacts
/// skips the work table: its contacts are inserted straight from staging (``insertStaged``).
enum PostgresApplySQL {
    static let createWorkTable = """
        CREATE TEMPORARY TABLE apply_rows (
            contact_id TEXT COLLATE "C" PRIMARY KEY,
            removal BOOLEAN NOT NULL,
            \(ContactColumns.definitions)
        ) ON COMMIT DROP
        """

    /// The job's staging (the job id is parameter `job`), one row per contact: its row with the
    /// highest seq, in id order.
    static func lastStaged(job: String) -> String {
        """
        SELECT DISTINCT ON (contact_id) contact_id, removal, \(ContactColumns.list)
        FROM staging WHERE job_id = \(job) ORDER BY contact_id, seq DESC
        """
    }

    /// Loads the job's staging ($1 here is the job id) into the work table.
    static let load = "INSERT INTO apply_rows (contact_id, removal, \(ContactColumns.list)) \(lastStaged(job: "$1"))"

    /// `(l.a IS DISTINCT FROM r.a OR …)`: true when any field differs (NULL-safe).
    static func differs(_ left: String, _ right: String) -> String {
        "(" + ContactColumns.fields.map { "\(left).\($0) IS DISTINCT FROM \(right).\($0)" }.joined(separator: " OR ")
            + ")"
    }

    /// Staged rows that are not yet contacts.
    static let addFrom = """
        FROM apply_rows s WHERE NOT s.removal
            AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.tenant_id = $1 AND c.id = s.contact_id)
        """

    /// Staged rows whose contact differs in any field.
    static let updateFrom = """
        FROM apply_rows s JOIN contacts c ON c.tenant_id = $1 AND c.id = s.contact_id
        WHERE NOT s.removal AND \(differs("c", "s"))
        """

    /// Contacts the apply removes.
    static func removeWhere(_ kind: ApplyKind) -> String {
        switch kind {
        case .replaceAll:
            "c.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM apply_rows s WHERE s.contact_id = c.id AND NOT s.removal)"
        case .incremental:
            "c.tenant_id = $1 AND c.id IN (SELECT s.contact_id FROM apply_rows s WHERE s.removal)"
        }
    }

    // MARK: - Apply ($2: the change time)

    /// Each write counts its rows through RETURNING, in the same statement.
    static func delete(_ kind: ApplyKind) -> String {
        "WITH gone AS (DELETE FROM contacts c WHERE \(removeWhere(kind)) RETURNING 1) SELECT count(*) FROM gone"
    }

    static let update = """
        WITH changed AS (
            UPDATE contacts c SET \(ContactColumns.assignments(from: "s")), changed_at = $2
            FROM apply_rows s
            WHERE NOT s.removal AND c.tenant_id = $1 AND c.id = s.contact_id AND \(differs("c", "s"))
            RETURNING 1
        ) SELECT count(*) FROM changed
        """

    /// The staged rows that are not contacts yet. The apply holds the tenant's row lock, so no
    /// other apply adds one meanwhile: an anti-join, not ON CONFLICT's speculative insertion per row.
    static let insertSelect = """
        SELECT $1, s.contact_id, \(ContactColumns.list(prefix: "s")), $2 \(addFrom)
        ORDER BY s.contact_id
        """

    static let insert = """
        WITH added AS (
            INSERT INTO contacts (tenant_id, id, \(ContactColumns.list), changed_at)
            \(insertSelect)
            RETURNING 1
        ) SELECT count(*) FROM added
        """

    static let countUpserts = "SELECT count(*) FROM apply_rows WHERE NOT removal"

    // MARK: - Apply logged to the change feed ($1 tenant, $2 the change time)

    /// `write`, a data-modifying statement `RETURNING <contact id>`, with each row it wrote
    /// appended to the tenant's change feed as a change of `kind`, numbered after the tenant's newest
    /// in id order; counts the rows. The caller then advances `change_seq` by that count.
    static func logged(_ write: String, as kind: ContactChangeKind) -> String {
        """
        WITH written AS (\(write)),
        logged AS (
            INSERT INTO contact_changes (tenant_id, seq, contact_id, kind, source, changed_at)
            SELECT $1, (SELECT change_seq FROM tenants WHERE id = $1) + row_number() OVER (ORDER BY written.id),
                written.id, '\(kind.rawValue)', '\(ContactChangeSource.directory.rawValue)', $2
            FROM written
            RETURNING 1
        )
        SELECT count(*) FROM logged
        """
    }

    static func loggedDelete(_ kind: ApplyKind) -> String {
        logged("DELETE FROM contacts c WHERE \(removeWhere(kind)) RETURNING c.id", as: .removed)
    }

    static let loggedUpdate = logged(
        """
        UPDATE contacts c SET \(ContactColumns.assignments(from: "s")), changed_at = $2
        FROM apply_rows s
        WHERE NOT s.removal AND c.tenant_id = $1 AND c.id = s.contact_id AND \(differs("c", "s"))
        RETURNING c.id
        """,
        as: .updated
    )

    static let loggedInsert = logged(
        """
        INSERT INTO contacts (tenant_id, id, \(ContactColumns.list), changed_at)
        \(insertSelect)
        RETURNING id
        """,
        as: .added
    )

    // MARK: - Apply into a tenant without contacts ($1 tenant, $2 the change time, $3 the job)

    /// The job's staged contacts, one row per contact (its last staged version), removals left
    /// out, in id order: all an apply into a tenant without contacts (its first sync) inserts, so
    /// it needs no work table, no statistics and no anti-join against contacts.
    static let insertStaged = """
        INSERT INTO contacts (tenant_id, id, \(ContactColumns.list), changed_at)
        SELECT $1, s.contact_id, \(ContactColumns.list(prefix: "s")), $2 FROM (\(lastStaged(job: "$3"))) s
        WHERE NOT s.removal
        ORDER BY s.contact_id
        """

    static let insertIntoEmpty = "WITH added AS (\(insertStaged) RETURNING 1) SELECT count(*) FROM added"

    static let loggedInsertIntoEmpty = logged("\(insertStaged) RETURNING id", as: .added)

    // MARK: - A streamed apply: a first sync written while it fetches ($1 tenant, $2 the change time)

    /// One contact written again by the same run (a listing that repeats someone): its last version
    /// wins. $2 is its id, then its fields, then the change time; answers whether it was new.
    static let upsert = """
        INSERT INTO contacts (tenant_id, id, \(ContactColumns.list), changed_at)
        VALUES ($1, $2, \(SQLValue.placeholders(from: 3, count: ContactColumns.fields.count + 1)))
        ON CONFLICT (tenant_id, id) DO UPDATE SET \(ContactColumns.assignments(from: "excluded")),
            changed_at = excluded.changed_at
        RETURNING xmax = 0
        """

    /// Every contact of the tenant (all of them this apply's) logged as added, in id order.
    static let loggedAdditions = logged("SELECT id FROM contacts WHERE tenant_id = $1", as: .added)

    /// The tenant's contacts, counted ($1 tenant).
    static let countContacts = "SELECT count(*) FROM contacts WHERE tenant_id = $1"

    /// $1 tenant, $2 how many changes were just logged.
    static let advanceChanges = "UPDATE tenants SET change_seq = change_seq + $2 WHERE id = $1"

    static let dropStaging = "DELETE FROM staging WHERE job_id = $1"

    // MARK: - Dry run ($2: the sample limit)

    static let countAdds = "SELECT count(*) \(addFrom)"
    static let countUpdates = "SELECT count(*) \(updateFrom)"
    static func countRemovals(_ kind: ApplyKind) -> String {
        "SELECT count(*) FROM contacts c WHERE \(removeWhere(kind))"
    }

    static let sampleAdds = "SELECT s.contact_id, s.display_name, s.mail \(addFrom) ORDER BY s.contact_id LIMIT $2"
    static let sampleUpdates =
        "SELECT s.contact_id, s.display_name, s.mail \(updateFrom) ORDER BY s.contact_id LIMIT $2"
    static func sampleRemovals(_ kind: ApplyKind) -> String {
        "SELECT c.id, c.display_name, c.mail FROM contacts c WHERE \(removeWhere(kind)) ORDER BY c.id LIMIT $2"
    }
}
