import Foundation
import RosterPostgres
import RosterStore
import RosterStoreTestSupport
import Testing

@Suite("SQLite to PostgreSQL migration", .postgresCluster)
struct StoreMigrationTests {
    @Test("every tenant, key, contact, group and job reads back from PostgreSQL as SQLite held it")
    func copiesEverything() async throws {
        let source = try await MigrationSource.make()
        let target = try await source.openTarget()
        let report = try await StoreMigration.copy(from: source.store, to: target, now: MigrationSource.now)

        let sqlite = source.store
        #expect(try await target.tenants() == sqlite.tenants())
        #expect(try await target.tenants().map(\.id) == ["acme", "beta"])
        for tenant in ["acme", "beta"] {
            #expect(try await target.contactsGeneration(tenant: tenant) == sqlite.contactsGeneration(tenant: tenant))
            #expect(try await target.clientSecret(tenant: tenant) == sqlite.clientSecret(tenant: tenant))
            #expect(try await target.apiKeys(tenant: tenant) == sqlite.apiKeys(tenant: tenant))
            let copied = try await target.contacts(tenant: tenant, after: nil, limit: 100_000)
            let original = try await sqlite.contacts(tenant: tenant, after: nil, limit: 100_000)
            #expect(copied == original)
            // Swift compares strings by canonical equivalence: compare the bytes too.
            #expect(copied.map(MigrationSource.bytes) == original.map(MigrationSource.bytes))
            #expect(try await target.contactOverrides(tenant: tenant) == sqlite.contactOverrides(tenant: tenant))
            let (groups, refreshedAt) = try await target.groups(tenant: tenant)
            let (sourceGroups, sourceRefreshedAt) = try await sqlite.groups(tenant: tenant)
            #expect(Set(groups) == Set(sourceGroups))
            #expect(refreshedAt == sourceRefreshedAt)
            for query in ["uk", "staff", "brien", "sales@", ""] {
                #expect(
                    try await target.searchGroups(tenant: tenant, query: query, limit: 10)
                        == sqlite.searchGroups(tenant: tenant, query: query, limit: 10)
                )
            }
        }
        #expect(try await target.contactCount(tenant: "acme") == MigrationSource.acmeContacts)
        #expect(try await target.clientSecret(tenant: "acme") == "s3cret-value")
        let acme = try #require(try await target.tenant(id: "acme"))
        #expect(acme.deltaLink == MigrationSource.deltaLink)
        #expect(acme.nextSyncAt == 1_700_000_360_000 && acme.syncIntervalMinutes == 360)
        #expect(acme.scope == .group(id: "g-uk", name: "UK Staff"))

        // Finished jobs as they were; the running one INTERRUPTED, as a restarted server marks it.
        #expect(try await target.jobs(tenant: "acme", limit: 10) == sqlite.jobs(tenant: "acme", limit: 10))
        var running = try #require(try await sqlite.job(id: "job-running"))
        #expect(running.state == .running)
        running.state = .interrupted
        running.finishedAt = MigrationSource.now
        running.errorCode = "INTERRUPTED"
        let copiedRunning = try #require(try await target.job(id: "job-running"))
        running.errorMessage = copiedRunning.errorMessage
        #expect(copiedRunning == running)
        #expect(copiedRunning.errorMessage?.contains("start a new sync") == true)
        #expect(try await target.activeJob(tenant: "beta") == nil)

        // Keys: a working key works, a revoked one stays revoked, an expiring one keeps its expiry.
        #expect(try await target.authenticate(token: source.tokens.admin)?.id == source.keyIDs.admin)
        #expect(try await target.authenticate(token: source.tokens.revoked) == nil)
        #expect(try await target.authenticate(token: source.tokens.expiring)?.expiresAt == 1_900_000_000_000)

        // Photos: every one, byte for byte, with its etag in the contacts read above.
        let photoETags = try await sqlite.photoETags(tenant: "acme")
        #expect(photoETags.count == MigrationSource.photoCount)
        #expect(try await target.photoETags(tenant: "acme") == photoETags)
        for id in photoETags.keys {
            #expect(
                try await target.photo(tenant: "acme", contactID: id) == sqlite.photo(tenant: "acme", contactID: id)
            )
        }
        #expect(try await target.tenant(id: "beta")?.syncPhotos == false)
        #expect(report.photos == MigrationSource.photoCount)
        #expect(report.tenants.map(\.photos) == [MigrationSource.photoCount, 0])

        #expect(report.tenants.map(\.id) == ["acme", "beta"])
        #expect(report.contacts == MigrationSource.acmeContacts + 2)
        #expect(report.overrides == 3 && report.tenants.map(\.overrides) == [1, 2])
        #expect(
            try await target.contactOverrides(tenant: "beta")["b-1"]?.first?.value == "Rene\u{301}e O'Brien (she/her) 李"
        )
        #expect(report.apiKeys == 3 && report.revokedAPIKeys == 1)
        #expect(report.groups == 4 && report.jobs == 3)
        #expect(report.interruptedJobs == ["job-running"])
        #expect(report.clientSecrets == 1 && report.unreadableSecrets.isEmpty)
        await target.close()
        await source.tearDown()
    }

    @Test("a secret the data directory's key cannot open is copied as it is and named in the report")
    func namesUnreadableSecrets() async throws {
        let source = try await MigrationSource.make(contacts: 10)
        // Another key seals beta's secret, as if master.key had been replaced since.
        let stranger = try SQLiteStore(
            configuration: .init(directory: source.directory),
            masterKey: try MasterKey.random(),
            migrator: RosterSchema.migrator
        )
        try await stranger.setClientSecret("sealed elsewhere", tenant: "beta")
        await stranger.close()
        let target = try await source.openTarget()
        let report = try await StoreMigration.copy(from: source.store, to: target, now: MigrationSource.now)
        #expect(report.clientSecrets == 2)
        #expect(report.unreadableSecrets == ["beta"])
        #expect(try await target.clientSecret(tenant: "acme") == "s3cret-value")
        await #expect(throws: StoreError.self) { _ = try await target.clientSecret(tenant: "beta") }
        #expect(try await target.tenant(id: "beta")?.hasClientSecret == true)
        await target.close()
        await source.tearDown()
    }

    @Test("a database that holds a tenant is refused and left as it was")
    func refusesDatabaseWithTenants() async throws {
        let source = try await MigrationSource.make(contacts: 10)
        let target = try await source.openTarget()
        try await target.createTenant(StoreFixture.tenantRecord(id: "other"))
        let error = await #expect(throws: StoreError.self) {
            _ = try await StoreMigration.copy(from: source.store, to: target, now: MigrationSource.now)
        }
        #expect(error?.code == .conflict)
        #expect(error?.message.contains("already holds 1 tenant (other)") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("CREATE DATABASE") == true)
        #expect(try await target.tenants().map(\.id) == ["other"])
        #expect(try await target.contactCount(tenant: "acme") == 0)
        await target.close()
        await source.tearDown()
    }

    @Test("a copy that fails half-way leaves the database empty, and runs again once the cause is gone")
    func failureRollsBackAndReruns() async throws {
        let source = try await MigrationSource.make(contacts: 10)
        // PostgreSQL text cannot hold NUL; SQLite can: the last tenant's contact fails the copy.
        var bad = ContactRecord(id: "zz-nul")
        bad.displayName = "before\u{0}after"
        try await source.store.stage(job: "nul", contacts: [bad], removals: [])
        _ = try await source.store.apply(job: "nul", tenant: "beta", kind: .incremental, now: 5, deltaLink: nil)
        let target = try await source.openTarget()
        let error = await #expect(throws: StoreError.self) {
            _ = try await StoreMigration.copy(from: source.store, to: target, now: MigrationSource.now)
        }
        #expect(error?.message.contains("Nothing was copied") == true, "\(error?.message ?? "")")
        #expect(try await target.tenants().isEmpty)
        #expect(try await target.contactCount(tenant: "acme") == 0)

        try await source.store.stage(job: "fix", contacts: [], removals: ["zz-nul"])
        _ = try await source.store.apply(job: "fix", tenant: "beta", kind: .incremental, now: 6, deltaLink: nil)
        let report = try await StoreMigration.copy(from: source.store, to: target, now: MigrationSource.now)
        #expect(report.contacts == 12)
        #expect(try await target.tenants().map(\.id) == ["acme", "beta"])
        await target.close()
        await source.tearDown()
    }
}

/// A SQLite store in a data directory of its own (its `master.key` beside it) with two tenants
/// holding one of everything: connection state, scope, schedule, delta link and a sealed secret;
/// an active, a revoked and an expiring key; contacts with every field; groups; finished and
/// running jobs.
struct MigrationSource {
    static let now: Int64 = 1_800_000_000_000
    static let acmeContacts = 12_000
    /// Photos of acme's first contacts: more than `StoreMigration.photosPerPage`.
    static let photoCount = 120
    static let deltaLink = "https://graph.example/v1.0/users/delta?$deltatoken=acme-42"

    let directory: String
    let store: SQLiteStore
    let tokens: (admin: String, revoked: String, expiring: String)
    let keyIDs: (admin: String, revoked: String, expiring: String)

    static func make(contacts: Int = acmeContacts) async throws -> MigrationSource {
        let directory = try makeTemporaryDirectory()
        let store = try SQLiteStore(configuration: .init(directory: directory))
        var acme = StoreFixture.tenantRecord(id: "acme")
        try await store.createTenant(acme)
        acme.directoryTenantID = "contoso.onmicrosoft.com"
        acme.clientID = "client-acme"
        acme.tokenScope = "https://graph.example/.default"
        acme.connectionState = .authorized
        acme.scope = .group(id: "g-uk", name: "UK Staff")
        acme.deletionThreshold = 42
        acme.includeDisabled = true
        acme.syncIntervalMinutes = 360
        acme.nextSyncAt = 1_700_000_360_000
        try await store.updateTenant(acme)
        try await store.setClientSecret("s3cret-value", tenant: "acme")
        var beta = StoreFixture.tenantRecord(id: "beta")
        try await store.createTenant(beta)
        beta.syncPhotos = false
        beta.connectionState = .credentialsInvalid
        beta.connectionErrorCode = "AADSTS7000215"
        try await store.updateTenant(beta)

        try await store.stage(job: "seed-acme", contacts: SampleContacts.contacts(0..<contacts), removals: [])
        _ = try await store.apply(job: "seed-acme", tenant: "acme", kind: .replaceAll, now: 1, deltaLink: deltaLink)
        try await store.stage(job: "seed-beta", contacts: [everyField(), emptyFields()], removals: [])
        _ = try await store.apply(job: "seed-beta", tenant: "beta", kind: .replaceAll, now: 2, deltaLink: nil)
        let overrides: [(tenant: String, contact: String, field: ContactField, value: String?)] = [
            ("beta", "b-1", .displayName, "Rene\u{301}e O'Brien (she/her) 李"),
            ("beta", "b-1", .mobilePhone, nil),
            ("acme", SampleContacts.contact(0).id, .attribute("employeeId"), "E-0"),
        ]
        for (tenant, contact, field, value) in overrides {
            _ = try await store.setContactOverride(
                tenant: tenant,
                ContactOverrideRecord(
                    contactID: contact,
                    field: field,
                    value: value,
                    setByKeyID: "0123456789abcdef",
                    setByLabel: "HR desk",
                    setAt: 5
                )
            )
        }
        // More photos than one copy step holds, each of its own bytes.
        for number in 0..<min(contacts, photoCount) {
            let photo = ContactPhoto(
                etag: "\"p\(number)\"",
                contentType: number.isMultiple(of: 2) ? "image/jpeg" : "image/png",
                bytes: (0..<(1_000 + number)).map { UInt8(truncatingIfNeeded: $0 &* (number + 1)) },
                changedAt: 3 + Int64(number)
            )
            _ = try await store.setPhoto(photo, tenant: "acme", contactID: SampleContacts.guid(number))
        }

        let admin = try await store.createAPIKey(tenant: "acme", role: .admin, label: "ops", now: 10)
        let revoked = try await store.createAPIKey(tenant: "acme", role: .reader, label: "old service", now: 11)
        _ = try await store.revokeAPIKey(id: revoked.key.id, tenant: "acme", now: 12)
        let expiring = try await store.createAPIKey(
            tenant: "beta",
            role: .editor,
            label: "temp",
            now: 13,
            expiresAt: 1_900_000_000_000
        )
        try await store.recordAPIKeyUse([admin.key.id: 14])

        try await store.replaceGroups(tenant: "acme", groups: groups(), now: 20)
        try await store.replaceGroups(tenant: "beta", groups: [groups()[0]], now: 21)

        var succeeded = job("job-done", tenant: "acme", at: 30)
        try await store.createJob(succeeded)
        succeeded.state = .succeeded
        succeeded.phase = .applying
        succeeded.fetched = 12
        succeeded.added = 10
        succeeded.unchanged = 2
        succeeded.total = 12
        succeeded.startedAt = 31
        succeeded.finishedAt = 32
        succeeded.note = "running a full sync instead: the delta link expired"
        try await store.updateJob(succeeded)
        var failed = job("job-failed", tenant: "acme", at: 40)
        try await store.createJob(failed)
        failed.state = .failed
        failed.errorCode = "THRESHOLD"
        failed.errorMessage = "would remove 600 contacts"
        failed.finishedAt = 41
        try await store.updateJob(failed)
        var running = job("job-running", tenant: "beta", at: 50)
        try await store.createJob(running)
        running.state = .running
        running.phase = .fetching
        running.startedAt = 51
        try await store.updateJob(running)

        return MigrationSource(
            directory: directory,
            store: store,
            tokens: (admin.token, revoked.token, expiring.token),
            keyIDs: (admin.key.id, revoked.key.id, expiring.key.id)
        )
    }

    /// A new, empty PostgreSQL store opened with this data directory's master key.
    func openTarget() async throws -> PostgresStore {
        let (configuration, _) = try await StoreFixture.makePostgresDatabase()
        return try await PostgresStore.open(
            configuration: configuration,
            masterKey: try MasterKey.loadOrCreate(inDirectory: directory)
        )
    }

    func tearDown() async {
        await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Every value's UTF-8 bytes (nil for NULL), in column order.
    static func bytes(_ contact: ContactRecord) -> [[UInt8]?] {
        ([contact.id] + ContactColumns.values(of: contact)).map { $0.map { Array($0.utf8) } }
    }

    /// A contact with every field set, text in several scripts, "é" decomposed.
    private static func everyField() -> ContactRecord {
        var contact = ContactRecord(id: "b-1")
        contact.userPrincipalName = "rene@beta.example"
        contact.mail = "Rene@Beta.example"
        contact.displayName = "Rene\u{301}e O'Brien 李"
        contact.givenName = "Rene\u{301}e"
        contact.surname = "O'Brien"
        contact.jobTitle = "Head of \"Sales\"\tEMEA"
        contact.department = "Sales\\Ops"
        contact.companyName = "Beta"
        contact.officeLocation = "Line one\nline two"
        contact.businessPhones = ["+44 20 7946 0000", "+1 (555) 0100"]
        contact.mobilePhone = "+44 7700 900000"
        contact.faxNumber = "+44 20 7946 0001"
        contact.streetAddress = "1 Example Street"
        contact.city = "Kraków"
        contact.state = "Małopolska"
        contact.postalCode = "30-001"
        contact.country = "Poland"
        contact.extensionAttributes = (1...ContactRecord.extensionAttributeCount).map { "ext-\($0)" }
        return contact
    }

    /// A contact whose fields are empty strings where others are null.
    private static func emptyFields() -> ContactRecord {
        var contact = ContactRecord(id: "b-2")
        contact.displayName = ""
        contact.mail = ""
        contact.extensionAttributes[3] = ""
        return contact
    }

    private static func groups() -> [GroupRecord] {
        [
            GroupRecord(
                id: "g-uk",
                displayName: "UK Staff",
                mail: "uk.staff@contoso.example",
                mailEnabled: true,
                securityEnabled: true,
                kind: .mailEnabledSecurity
            ),
            GroupRecord(
                id: "g-obrien",
                displayName: "O'Brien's Team",
                mail: "sales@contoso.example",
                mailEnabled: true,
                securityEnabled: true,
                kind: .mailEnabledSecurity
            ),
            GroupRecord(
                id: "g-m365",
                displayName: "UK Marketing",
                mail: nil,
                mailEnabled: false,
                securityEnabled: false,
                kind: .microsoft365
            ),
        ]
    }

    private static func job(_ id: String, tenant: String, at time: Int64) -> SyncJobRecord {
        SyncJobRecord(
            id: id,
            tenantID: tenant,
            scope: .group(id: "g-uk", name: "UK Staff"),
            mode: .full,
            createdAt: time,
            startedBy: "key-1",
            trigger: .scheduled,
            dryRun: false,
            acknowledgedRemovals: true
        )
    }
}
