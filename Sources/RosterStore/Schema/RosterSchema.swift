/// Roster's schema history: the ordered, named migrations every store database goes through.
///
/// Append new migrations at the end; never edit one that has shipped. Times are Unix milliseconds
/// (INTEGER); enums are their Swift raw values (TEXT).
package enum RosterSchema {
    /// All migrations, oldest first.
    package static let migrator: Migrator = {
        var migrator = Migrator()
        migrator.register("create tenants, api keys, contacts, groups, sync jobs and staging", sql: version1)
        migrator.register("index contacts by mail and userPrincipalName", sql: version2)
        migrator.register("word-prefix search for groups", apply: version3)
        migrator.register("a token scope per tenant", sql: version4)
        migrator.register("a note on each sync job", sql: version5)
        migrator.register(
            "group search keys folded without apostrophes and punctuation, from each word on",
            apply: version6
        )
        migrator.register(
            "a contacts generation per tenant, bumped by every apply that changes a contact",
            sql: version7
        )
        migrator.register("API keys that expire, and when each was last used", sql: version8)
        migrator.register("additional user properties per tenant, their values per contact", sql: version9)
        migrator.register("a change feed per tenant: numbered contact changes", sql: changeFeed)
        migrator.register("local overrides of contact fields", sql: version11)
        migrator.register("contact photos, and whether a tenant syncs them", sql: photosVersion)
        return migrator
    }()

    /// One row per overridden field of a contact: `value` NULL hides the field. The foreign key
    /// deletes a contact's overrides with the contact, in the same statement (the apply's removals,
    /// a tenant's deletion); `foreign_keys` is on for every connection.
    private static let version11 = """
        CREATE TABLE contact_overrides (
            tenant_id TEXT NOT NULL,
            contact_id TEXT NOT NULL,
            -- The field as proto/roster.proto names it: job_title, extension_attributes.3, attributes.employeeId.
            field TEXT NOT NULL,
            value TEXT,
            set_by_key_id TEXT NOT NULL,
            set_by_label TEXT NOT NULL,
            set_at INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, contact_id, field),
            FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts(tenant_id, id) ON DELETE CASCADE
        ) WITHOUT ROWID;
        """

    /// `change_seq`: the tenant's newest change number; `change_floor`: the newest one pruned (a
    /// cursor below it has missed changes). Kind and source are ``ContactChangeKind`` and
    /// ``ContactChangeSource`` raw values.
    private static let changeFeed = """
        ALTER TABLE tenants ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE tenants ADD COLUMN change_floor INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE contact_changes (
            tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            contact_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            source TEXT NOT NULL,
            changed_at INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, seq)
        ) WITHOUT ROWID;
        """

    /// Photos beside contacts, deleted with them (the apply's DELETE cascades in its transaction).
    /// Not WITHOUT ROWID: its rows are large. Each job keeps what its photo refresh did (NULL:
    /// none ran).
    private static let photosVersion = """
        ALTER TABLE tenants ADD COLUMN sync_photos INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE sync_jobs ADD COLUMN photos_checked INTEGER;
        ALTER TABLE sync_jobs ADD COLUMN photos_written INTEGER;
        ALTER TABLE sync_jobs ADD COLUMN photos_removed INTEGER;
        ALTER TABLE sync_jobs ADD COLUMN photos_failed INTEGER;
        ALTER TABLE sync_jobs ADD COLUMN photos_skipped INTEGER;
        CREATE TABLE photos (
            tenant_id TEXT NOT NULL,
            contact_id TEXT NOT NULL,
            etag TEXT NOT NULL,
            content_type TEXT NOT NULL,
            bytes BLOB NOT NULL,
            changed_at INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, contact_id),
            FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts(tenant_id, id) ON DELETE CASCADE
        );
        """

    private static let version9 = """
        ALTER TABLE tenants ADD COLUMN attributes TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE contacts ADD COLUMN attributes TEXT;
        ALTER TABLE staging ADD COLUMN attributes TEXT;
        """

    private static let version8 = """
        ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
        ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
        """

    private static let version1 = """
        CREATE TABLE tenants (
            id TEXT PRIMARY KEY NOT NULL,
            display_name TEXT NOT NULL,
            directory_tenant_id TEXT,
            client_id TEXT,
            -- AES-256-GCM under the master key: format byte, 12-byte nonce, ciphertext, 16-byte tag.
            client_secret BLOB,
            authority_url TEXT NOT NULL,
            graph_base_url TEXT NOT NULL,
            connection_state TEXT NOT NULL DEFAULT 'notConnected',
            connection_error_code TEXT,
            scope_kind TEXT NOT NULL DEFAULT 'allUsers',
            scope_group_id TEXT,
            scope_group_name TEXT,
            delta_link TEXT,
            deletion_threshold INTEGER NOT NULL DEFAULT 500,
            include_disabled INTEGER NOT NULL DEFAULT 0,
            sync_interval_minutes INTEGER NOT NULL DEFAULT 0,
            next_sync_at INTEGER,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY NOT NULL,
            tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
            role TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'reader')),
            hash BLOB NOT NULL,
            label TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER
        );
        CREATE INDEX api_keys_by_tenant ON api_keys(tenant_id);
        CREATE TABLE contacts (
            tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            \(ContactColumns.version1Definitions),
            changed_at INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, id)
        );
        CREATE TABLE groups (
            tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
            id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            folded_name TEXT NOT NULL,
            mail TEXT,
            mail_enabled INTEGER NOT NULL,
            security_enabled INTEGER NOT NULL,
            kind TEXT NOT NULL,
            refreshed_at INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, id)
        );
        CREATE INDEX groups_by_folded_name ON groups(tenant_id, folded_name);
        CREATE TABLE sync_jobs (
            id TEXT PRIMARY KEY NOT NULL,
            tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
            scope_kind TEXT NOT NULL,
            scope_group_id TEXT,
            scope_group_name TEXT,
            mode TEXT NOT NULL,
            state TEXT NOT NULL,
            phase TEXT,
            fetched INTEGER NOT NULL DEFAULT 0,
            added INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            removed INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            total INTEGER,
            error_code TEXT,
            error_message TEXT,
            created_at INTEGER NOT NULL,
            started_at INTEGER,
            finished_at INTEGER,
            started_by TEXT,
            triggered_by TEXT NOT NULL,
            dry_run INTEGER NOT NULL DEFAULT 0,
            acknowledged_removals INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX sync_jobs_by_tenant ON sync_jobs(tenant_id, created_at);
        -- At most one active job per tenant, enforced by the database itself.
        CREATE UNIQUE INDEX sync_jobs_one_active ON sync_jobs(tenant_id) WHERE state IN ('queued', 'running');
        -- A job's fetched rows, staged page by page until the apply step, in arrival order: seq only
        -- grows, so each page appends to the table and to the job_id index instead of scattering
        -- random directory ids over a B-tree (which rewrote most of that index at every page commit).
        -- A contact staged twice keeps its last row (the apply step reads in seq order). No foreign key
        -- to sync_jobs: leftovers of dead jobs are removed by cleanStaging(except:).
        CREATE TABLE staging (
            seq INTEGER PRIMARY KEY,
            job_id TEXT NOT NULL,
            contact_id TEXT NOT NULL,
            -- 1: a delta sync's removal of contact_id (its fields are NULL); 0: the row to hold.
            removal INTEGER NOT NULL DEFAULT 0,
            \(ContactColumns.version1Definitions)
        );
        CREATE INDEX staging_by_job ON staging(job_id);
        """

    private static let version2 = """
        CREATE INDEX contacts_by_mail ON contacts(tenant_id, mail COLLATE NOCASE);
        CREATE INDEX contacts_by_user_principal_name ON contacts(tenant_id, user_principal_name COLLATE NOCASE);
        """

    private static let version4 = """
        ALTER TABLE tenants ADD COLUMN token_scope TEXT;
        """

    private static let version7 = """
        ALTER TABLE tenants ADD COLUMN contacts_generation INTEGER NOT NULL DEFAULT 0;
        """

    private static let version5 = """
        ALTER TABLE sync_jobs ADD COLUMN note TEXT;
        """

    /// Folds every stored group's search keys again with today's ``SearchFolding``: apostrophes
    /// dropped, punctuation as spaces, and `group_words` holding the name from each word on.
    @Sendable
    private static func version6(_ connection: Connection) throws(StoreError) {
        try refoldGroups(connection)
    }

    /// Writes every stored group's folded name, folded mail and `group_words` rows anew.
    private static func refoldGroups(_ connection: Connection) throws(StoreError) {
        try connection.execute("DELETE FROM group_words")
        var groups: [(tenant: String, id: String, name: String, mail: String?)] = []
        let select = try connection.cached("SELECT tenant_id, id, display_name, mail FROM groups")
        while try select.step() {
            groups.append((select.string(0) ?? "", select.string(1) ?? "", select.string(2) ?? "", select.string(3)))
        }
        let update = try connection.cached(
            "UPDATE groups SET folded_name = ?3, folded_mail = ?4 WHERE tenant_id = ?1 AND id = ?2"
        )
        let addWord = try connection.cached(
            "INSERT OR IGNORE INTO group_words (tenant_id, group_id, word) VALUES (?1, ?2, ?3)"
        )
        for group in groups {
            update.reset()
            update.bind(group.tenant, at: 1)
            update.bind(group.id, at: 2)
            update.bind(SearchFolding.fold(group.name), at: 3)
            update.bind(group.mail.map(SearchFolding.fold), at: 4)
            try update.run()
            for start in SearchFolding.wordStarts(in: group.name) {
                addWord.reset()
                addWord.bind(group.tenant, at: 1)
                addWord.bind(group.id, at: 2)
                addWord.bind(start, at: 3)
                try addWord.run()
            }
        }
    }

    /// Adds folded mail and a table of folded name words, and fills both for stored groups
    /// (folding is Swift code, so this migration is too).
    @Sendable
    private static func version3(_ connection: Connection) throws(StoreError) {
        try connection.execute(
            """
            ALTER TABLE groups ADD COLUMN folded_mail TEXT;
            CREATE INDEX groups_by_folded_mail ON groups(tenant_id, folded_mail);
            CREATE TABLE group_words (
                tenant_id TEXT NOT NULL,
                group_id TEXT NOT NULL,
                word TEXT NOT NULL,
                PRIMARY KEY (tenant_id, word, group_id),
                FOREIGN KEY (tenant_id, group_id) REFERENCES groups(tenant_id, id) ON DELETE CASCADE
            ) WITHOUT ROWID;
            CREATE INDEX group_words_by_group ON group_words(tenant_id, group_id);
            """
        )
        try refoldGroups(connection)
    }
}
