package import RosterStore

/// The move of a whole SQLite store into an empty PostgreSQL store (`rosterd migrate-store`):
/// tenants with every field, API keys, contacts with their local overrides and photos, groups and
/// the job history, in ONE transaction
/// on the target, so that a failure leaves it as empty as it was and the move can simply run again.
///
/// Client secrets are copied still sealed, byte for byte: both stores seal with the master key of
/// the data directory and bind each secret to its tenant's id, which the move keeps, so the sealed
/// bytes open in PostgreSQL as they did in SQLite, and no secret is ever in the clear on the way.
/// The PostgreSQL replicas must therefore load that same `master.key` from their data directories.
/// Each secret is test-opened with the source's key, and one that does not open is reported.
///
/// The source is only read. Queued or running jobs in it (its server died during a run) land
/// INTERRUPTED, as a server marks them at its next start. Staging is not copied: it is scratch of
/// runs that are over.
package enum StoreMigration {
    /// What a move copied.
    package struct Report: Sendable, Hashable {
        /// One tenant's share.
        package struct Tenant: Sendable, Hashable {
            package var id: String
            package var contacts = 0
            /// Local overrides of its contacts.
            package var overrides = 0
            /// Photos of its contacts.
            package var photos = 0
            package var groups = 0
            package var apiKeys = 0
            package var jobs = 0
        }

        /// Each tenant's counts, by tenant id.
        package var tenants: [Tenant] = []
        /// Client secrets copied (sealed).
        package var clientSecrets = 0
        /// Ids of the tenants whose stored client secret the source's master key cannot open: copied
        /// as they were, their syncs fail until `roster connect` stores a new secret.
        package var unreadableSecrets: [String] = []
        /// API keys copied, revoked ones included.
        package var apiKeys = 0
        /// Of those, revoked keys (they stay revoked).
        package var revokedAPIKeys = 0
        /// Groups copied.
        package var groups = 0
        /// Sync jobs copied.
        package var jobs = 0
        /// Of those, jobs that were queued or running in the source and are INTERRUPTED in the copy.
        package var interruptedJobs: [String] = []

        /// Contacts copied over all tenants.
        package var contacts: Int { tenants.reduce(0) { $0 + $1.contacts } }
        /// Local overrides copied over all tenants.
        package var overrides: Int { tenants.reduce(0) { $0 + $1.overrides } }
        /// Photos copied over all tenants.
        package var photos: Int { tenants.reduce(0) { $0 + $1.photos } }
    }

    /// Contacts read from the source and written to the target per step.
    package static let contactsPerPage = 5_000
    /// Photos per step: at most 4 MB each, so a step holds at most about 200 MB.
    package static let photosPerPage = 50

    /// The error code and message a job queued or running in the source gets in the copy.
    static let interruptedCode = "INTERRUPTED"
    static let interruptedMessage =
        "the server stopped during the run (found unfinished when the store moved to PostgreSQL); start a new sync"

    /// Copies everything in `source` into `target`, which must hold no tenant, in one transaction
    /// on `target`; `progress` hears of each tenant once its contacts are in. Run it only while no
    /// rosterd uses the source (hold its data directory's lock). `now` (Unix ms) ends active jobs.
    package static func copy(
        from source: SQLiteStore,
        to target: PostgresStore,
        now: Int64,
        progress: @escaping @Sendable (Report.Tenant) -> Void = { _ in }
    ) async throws(StoreError) -> Report {
        let rows = try await source.exportRows()
        var report = Report()
        for tenant in rows.tenants where tenant.sealedClientSecret != nil {
            report.clientSecrets += 1
            do {
                _ = try await source.clientSecret(tenant: tenant.record.id)
            } catch {
                report.unreadableSecrets.append(tenant.record.id)
            }
        }
        var jobs = rows.jobs
        for index in jobs.indices where jobs[index].state.isActive {
            report.interruptedJobs.append(jobs[index].id)
            jobs[index].state = .interrupted
            jobs[index].finishedAt = now
            jobs[index].errorCode = interruptedCode
            jobs[index].errorMessage = interruptedMessage
        }
        var expected: [String: Int] = [:]
        for tenant in rows.tenants {
            expected[tenant.record.id] = try await source.contactCount(tenant: tenant.record.id)
        }
        report.apiKeys = rows.apiKeys.count
        report.revokedAPIKeys = rows.apiKeys.count { $0.record.revokedAt != nil }
        report.groups = rows.groups.count
        report.jobs = jobs.count
        let counted = report
        do {
            return try await target.importing { [jobs, expected] importer throws(StoreError) -> Report in
                try await refuseUnlessEmpty(importer)
                try await importer.insert(tenants: rows.tenants)
                try await importer.insert(apiKeys: rows.apiKeys)
                try await importer.insert(groups: rows.groups)
                try await importer.insert(jobs: jobs)
                var report = counted
                for tenant in rows.tenants.map(\.record.id) {
                    var share = Report.Tenant(id: tenant)
                    share.contacts = try await copyContacts(of: tenant, from: source, to: importer)
                    guard share.contacts == expected[tenant] else {
                        throw StoreError(
                            .conflict,
                            "tenant \(tenant) had \(expected[tenant] ?? 0) contacts when the copy began and "
                                + "\(share.contacts) when its contacts were copied: something wrote to the SQLite "
                                + "store meanwhile; stop every rosterd using it"
                        )
                    }
                    let overrides = try await source.exportContactOverrides(tenant: tenant)
                    try await importer.insert(overrides: overrides, tenant: tenant)
                    share.overrides = overrides.count
                    share.photos = try await copyPhotos(of: tenant, from: source, to: importer)
                    share.groups = rows.groups.count { $0.tenantID == tenant }
                    share.apiKeys = rows.apiKeys.count { $0.record.tenantID == tenant }
                    share.jobs = jobs.count { $0.tenantID == tenant }
                    report.tenants.append(share)
                    progress(share)
                }
                return report
            }
        } catch let error where error.code == .conflict {
            throw error
        } catch {
            throw StoreError(
                error.code,
                "\(error.message). Nothing was copied (the copy is one transaction, rolled back); fix the cause "
                    + "and run migrate-store again"
            )
        }
    }

    /// Copies the tenant's contacts page by page; returns how many the target then holds.
    private static func copyContacts(of tenant: String, from source: SQLiteStore, to importer: PostgresImport)
        async throws(StoreError) -> Int
    {
        var after: String?
        while true {
            let page = try await source.exportContacts(tenant: tenant, after: after, limit: contactsPerPage)
            try await importer.insert(contacts: page, tenant: tenant)
            guard page.count == contactsPerPage, let last = page.last else { break }
            after = last.id
        }
        return try await importer.contactCount(tenant: tenant)
    }

    /// Copies the tenant's photos page by page (after its contacts); returns how many it copied.
    private static func copyPhotos(of tenant: String, from source: SQLiteStore, to importer: PostgresImport)
        async throws(StoreError) -> Int
    {
        var after: String?
        var copied = 0
        while true {
            let page = try await source.exportPhotos(tenant: tenant, after: after, limit: photosPerPage)
            try await importer.insert(photos: page, tenant: tenant)
            copied += page.count
            guard page.count == photosPerPage, let last = page.last else { return copied }
            after = last.contactID
        }
    }

    /// Locks the target's tenants and refuses a target that holds any.
    private static func refuseUnlessEmpty(_ importer: PostgresImport) async throws(StoreError) {
        let present = try await importer.lockTenants()
        guard present.isEmpty else {
            let names = present.prefix(5).joined(separator: ", ") + (present.count > 5 ? ", …" : "")
            throw StoreError(
                .conflict,
                "the PostgreSQL database already holds \(present.count) tenant\(present.count == 1 ? "" : "s") "
                    + "(\(names)); migrate-store copies into an empty database only, and changed nothing. Give "
                    + "--to a new database (CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0), or drop this "
                    + "one's tables if it holds nothing you need, and run it again"
            )
        }
    }
}
