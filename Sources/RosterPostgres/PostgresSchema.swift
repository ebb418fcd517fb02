internal import RosterStore

/// The PostgreSQL store's schema history: the ordered, named migrations of ``PostgresMigrator``.
///
/// Same tables and columns as SQLite's ``RosterSchema`` at its latest version, in PostgreSQL's
/// types: times are Unix milliseconds (BIGINT), flags BOOLEAN, sealed secrets and key hashes BYTEA,
/// enums their Swift raw values (TEXT). Ids and folded search keys compare byte by byte
/// (`COLLATE "C"`), as SQLite's binary collation does, so paging and prefix ranges agree with it
/// whatever the database's default collation. Append new migrations at the end; never edit one
/// that has shipped.
package enum PostgresSchema {
    /// All migrations, oldest first.
    package static let migrator: PostgresMigrator = {
        var migrator = PostgresMigrator()
        migrator.register("create tenants, api keys, contacts, groups, sync jobs and staging", statements: version1)
        migrator.register("index contact addresses, group search keys and jobs by tenant", statements: version2)
        migrator.register("lease sync jobs to the replica running them", statements: jobLeases)
        migrator.register(
            "additional user properties per tenant, their values per contact",
            statements: attributesVersion
        )
        migrator.register("a change feed per tenant: numbered contact changes", statements: changeFeed)
        migrator.register("local overrides of contact fields", statements: overridesVersion)
        migrator.register("contact photos, and whether a tenant syncs them", statements: photosVersion)
        migrator.register(
            "contacts counted with their tenant; no per-row tenant check on contacts and changes",
            statements: countedContacts
        )
        return migrator
    }()

    /// The tenant row keeps its contact count (the apply and the import set it), so that a page of
    /// ListContacts or a status reads one row instead of counting 100,000. Contacts and their
    /// changes lose their foreign key to the tenant: checked per row, it was about a second of a
    /// 100,000-contact apply (`EXPLAIN ANALYZE`), and it guards nothing the apply does not: the
    /// apply locks the tenant's row first and refuses a tenant that does not exist, and no command
    /// deletes a tenant. Overrides and photos keep theirs, to their contact.
    private static let countedContacts = [
        "ALTER TABLE contacts DROP CONSTRAINT IF EXISTS contacts_tenant_id_fkey",
        "ALTER TABLE contact_changes DROP CONSTRAINT IF EXISTS contact_changes_tenant_id_fkey",
        "ALTER TABLE tenants ADD COLUMN contact_count BIGINT NOT NULL DEFAULT 0",
        "UPDATE tenants SET contact_count = (SELECT count(*) FROM contacts WHERE contacts.tenant_id = tenants.id)",
    ]

    /// As SQLite's: `change_seq` the tenant's newest change number, `change_floor` the newest pruned.
    private static let changeFeed = [
        "ALTER TABLE tenants ADD COLUMN change_seq BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE tenants ADD COLUMN change_floor BIGINT NOT NULL DEFAULT 0",
        """
        CREATE TABLE contact_changes (
            tenant_id \(id) REFERENCES tenants(id) ON DELETE CASCADE,
            seq BIGINT NOT NULL,
            contact_id \(id),
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            changed_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, seq)
        )
        """,
    ]

    private static let id = "TEXT COLLATE \"C\" NOT NULL"

    private static let version1 = [
        """
        CREATE TABLE tenants (
            id \(id) PRIMARY KEY,
            display_name TEXT NOT NULL,
            directory_tenant_id TEXT,
            client_id TEXT,
            -- AES-256-GCM under the master key: format byte, 12-byte nonce, ciphertext, 16-byte tag.
            client_secret BYTEA,
            authority_url TEXT NOT NULL,
            graph_base_url TEXT NOT NULL,
            token_scope TEXT,
            connection_state TEXT NOT NULL DEFAULT 'notConnected',
            connection_error_code TEXT,
            scope_kind TEXT NOT NULL DEFAULT 'allUsers',
            scope_group_id TEXT,
            scope_group_name TEXT,
            delta_link TEXT,
            deletion_threshold BIGINT NOT NULL DEFAULT 500,
            include_disabled BOOLEAN NOT NULL DEFAULT false,
            sync_interval_minutes BIGINT NOT NULL DEFAULT 0,
            next_sync_at BIGINT,
            contacts_generation BIGINT NOT NULL DEFAULT 0,
            created_at BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE api_keys (
            id \(id) PRIMARY KEY,
            tenant_id \(id) REFERENCES tenants(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'reader')),
            -- SHA-256 of the token; the token itself is never stored.
            hash BYTEA NOT NULL,
            label TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT,
            expires_at BIGINT,
            last_used_at BIGINT
        )
        """,
        "CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, created_at, id)",
        """
        CREATE TABLE contacts (
            tenant_id \(id) REFERENCES tenants(id) ON DELETE CASCADE,
            id \(id),
            \(ContactColumns.version1Definitions),
            changed_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, id)
        )
        """,
        """
        CREATE TABLE groups (
            tenant_id \(id) REFERENCES tenants(id) ON DELETE CASCADE,
            id \(id),
            display_name TEXT NOT NULL,
            folded_name TEXT COLLATE "C" NOT NULL,
            mail TEXT,
            folded_mail TEXT COLLATE "C",
            mail_enabled BOOLEAN NOT NULL,
            security_enabled BOOLEAN NOT NULL,
            kind TEXT NOT NULL,
            refreshed_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, id)
        )
        """,
        // A group's folded name from each word on (SearchFolding.wordStarts), for word-prefix search.
        """
        CREATE TABLE group_words (
            tenant_id \(id),
            group_id \(id),
            word TEXT COLLATE "C" NOT NULL,
            PRIMARY KEY (tenant_id, word, group_id),
            FOREIGN KEY (tenant_id, group_id) REFERENCES groups(tenant_id, id) ON DELETE CASCADE
        )
        """,
        "CREATE INDEX group_words_by_group ON group_words (tenant_id, group_id)",
        // A later lease for replicas (owner, expiry) is a pair of added nullable columns; nothing
        // here assumes one process runs every job.
        """
        CREATE TABLE sync_jobs (
            id \(id) PRIMARY KEY,
            tenant_id \(id) REFERENCES tenants(id) ON DELETE CASCADE,
            scope_kind TEXT NOT NULL,
            scope_group_id TEXT,
            scope_group_name TEXT,
            mode TEXT NOT NULL,
            state TEXT NOT NULL,
            phase TEXT,
            fetched BIGINT NOT NULL DEFAULT 0,
            added BIGINT NOT NULL DEFAULT 0,
            updated BIGINT NOT NULL DEFAULT 0,
            removed BIGINT NOT NULL DEFAULT 0,
            unchanged BIGINT NOT NULL DEFAULT 0,
            total BIGINT,
            error_code TEXT,
            error_message TEXT,
            note TEXT,
            created_at BIGINT NOT NULL,
            started_at BIGINT,
            finished_at BIGINT,
            started_by TEXT,
            triggered_by TEXT NOT NULL,
            dry_run BOOLEAN NOT NULL DEFAULT false,
            acknowledged_removals BOOLEAN NOT NULL DEFAULT false
        )
        """,
        // At most one active job per tenant, enforced by the database itself (across replicas too).
        "CREATE UNIQUE INDEX sync_jobs_one_active ON sync_jobs (tenant_id) WHERE state IN ('queued', 'running')",
        // A job's fetched rows until its apply, in arrival order (seq). UNLOGGED: staging is scratch
        // that a crash makes worthless anyway (the job is interrupted), so it skips the WAL.
        """
        CREATE UNLOGGED TABLE staging (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            job_id \(id),
            contact_id \(id),
            -- true: a delta sync's removal of contact_id (its fields are NULL).
            removal BOOLEAN NOT NULL DEFAULT false,
            \(ContactColumns.version1Definitions)
        )
        """,
        "CREATE INDEX staging_by_job ON staging (job_id, seq)",
    ]

    /// Lookups by address ignore ASCII case only, as SQLite's NOCASE does.
    private static let version2 = [
        "CREATE INDEX contacts_by_mail ON contacts (tenant_id, lower(mail COLLATE \"C\"))",
        "CREATE INDEX contacts_by_user_principal_name ON contacts (tenant_id, lower(user_principal_name COLLATE \"C\"))",
        "CREATE INDEX groups_by_folded_name ON groups (tenant_id, folded_name)",
        "CREATE INDEX groups_by_folded_mail ON groups (tenant_id, folded_mail)",
        "CREATE INDEX sync_jobs_by_tenant ON sync_jobs (tenant_id, created_at)",
    ]

    /// Replicas share the jobs: each active job is leased to the replica running it (`owner`) until
    /// `lease_expires_at` (Unix ms, the database's clock); `cancel_requested` carries a CancelSync
    /// made on another replica. Jobs of earlier versions have no owner and no lease: a replica takes
    /// an active one of them as abandoned.
    private static let jobLeases = [
        "ALTER TABLE sync_jobs ADD COLUMN owner TEXT COLLATE \"C\"",
        "ALTER TABLE sync_jobs ADD COLUMN lease_expires_at BIGINT",
        "ALTER TABLE sync_jobs ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT FALSE",
    ]

    /// The tenant's additional user properties (a JSON array of names) and each contact's values
    /// (a canonical JSON object, NULL when none), as SQLite's "additional user properties"
    /// migration adds them.
    private static let attributesVersion = [
        "ALTER TABLE tenants ADD COLUMN attributes TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE contacts ADD COLUMN attributes TEXT",
        "ALTER TABLE staging ADD COLUMN attributes TEXT",
    ]

    /// One row per overridden field of a contact (`value` NULL hides the field), as SQLite's "local
    /// overrides of contact fields" migration makes it: the foreign key deletes a contact's
    /// overrides with the contact, in the same statement.
    private static let overridesVersion = [
        """
        CREATE TABLE contact_overrides (
            tenant_id \(id),
            contact_id \(id),
            -- The field as proto/roster.proto names it: job_title, extension_attributes.3, attributes.employeeId.
            field TEXT COLLATE "C" NOT NULL,
            value TEXT,
            set_by_key_id TEXT NOT NULL,
            set_by_label TEXT NOT NULL,
            set_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, contact_id, field),
            FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts(tenant_id, id) ON DELETE CASCADE
        )
        """
    ]

    /// Photos beside contacts, deleted with them (the apply's DELETE cascades in its transaction),
    /// as SQLite's "contact photos" migration adds them, with what each job's photo refresh did.
    private static let photosVersion = [
        "ALTER TABLE tenants ADD COLUMN sync_photos BOOLEAN NOT NULL DEFAULT true",
        """
        ALTER TABLE sync_jobs ADD COLUMN photos_checked BIGINT, ADD COLUMN photos_written BIGINT,
            ADD COLUMN photos_removed BIGINT, ADD COLUMN photos_failed BIGINT, ADD COLUMN photos_skipped BIGINT
        """,
        """
        CREATE TABLE photos (
            tenant_id \(id),
            contact_id \(id),
            etag TEXT NOT NULL,
            content_type TEXT NOT NULL,
            bytes BYTEA NOT NULL,
            changed_at BIGINT NOT NULL,
            PRIMARY KEY (tenant_id, contact_id),
            FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts(tenant_id, id) ON DELETE CASCADE
        )
        """,
    ]
}
