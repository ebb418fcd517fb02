/// Everything Roster keeps: tenants, API keys, contacts, groups, sync jobs and staging.
///
/// `SQLiteStore` implements it today; another engine (a shared SQL database for several `rosterd`
/// replicas) could implement it later. All calls are async and never block the caller's thread.
/// Times are Unix milliseconds supplied by the caller, so tests control the clock.
package protocol Store: Sendable {
    // MARK: Tenants

    /// Stores a new tenant; fails with `.conflict` if its id exists.
    func createTenant(_ tenant: TenantRecord) async throws(StoreError)
    /// The tenant with `id`, or nil.
    func tenant(id: String) async throws(StoreError) -> TenantRecord?
    /// All tenants, by id.
    func tenants() async throws(StoreError) -> [TenantRecord]
    /// Saves every field of `tenant` except its id, creation time and secret; `.notFound` if absent.
    func updateTenant(_ tenant: TenantRecord) async throws(StoreError)
    /// Moves the tenant's `nextSyncAt` from `due` to `next` if it still is `due`, and says whether it
    /// did: of several servers that saw the same due sync, exactly one claims it.
    func claimScheduledSync(tenant: String, due: Int64?, next: Int64) async throws(StoreError) -> Bool
    /// Encrypts and stores the tenant's client secret (nil clears it).
    func setClientSecret(_ secret: String?, tenant: String) async throws(StoreError)
    /// The tenant's decrypted client secret, or nil when none is stored.
    func clientSecret(tenant: String) async throws(StoreError) -> String?

    // MARK: API keys

    /// Creates a key and returns it with its token, which is shown once and never stored.
    func createAPIKey(tenant: String, role: APIKeyRole, label: String, now: Int64, expiresAt: Int64?)
        async throws(StoreError) -> (key: APIKeyRecord, token: String)
    /// Records when keys were last used (key id → Unix ms); a time older than the stored one is ignored.
    func recordAPIKeyUse(_ lastUsed: [String: Int64]) async throws(StoreError)
    /// The key `token` belongs to, or nil when it is unknown, malformed or revoked. An expired key
    /// is returned (its `expiresAt` says so), so the caller can say why it is refused.
    func authenticate(token: String) async throws(StoreError) -> APIKeyRecord?
    /// A tenant's keys, revoked ones included, by creation time.
    func apiKeys(tenant: String) async throws(StoreError) -> [APIKeyRecord]
    /// Revokes a key of `tenant`; returns false when there is no such key.
    func revokeAPIKey(id: String, tenant: String, now: Int64) async throws(StoreError) -> Bool

    // MARK: Contacts

    /// The contact with directory id `id`.
    func contact(tenant: String, id: String) async throws(StoreError) -> ContactRecord?
    /// A number that changes whenever an apply changes the tenant's contacts, and whenever one of
    /// their overrides is set or cleared (0 for an unknown tenant).
    func contactsGeneration(tenant: String) async throws(StoreError) -> Int64
    /// The contacts with these ids that exist, by id, read in one go (a delta page's worth).
    func contacts(tenant: String, ids: [String]) async throws(StoreError) -> [String: ContactRecord]
    /// The contact whose mail or userPrincipalName equals `address` (case-insensitive).
    func contact(tenant: String, address: String) async throws(StoreError) -> ContactRecord?
    /// The contact whose userPrincipalName is `userPrincipalName` (ignoring case), if any.
    func contact(tenant: String, userPrincipalName: String) async throws(StoreError) -> ContactRecord?
    /// Up to `limit` contacts with ids greater than `after`, by id (keyset paging).
    func contacts(tenant: String, after: String?, limit: Int) async throws(StoreError) -> [ContactRecord]
    /// How many contacts the tenant has.
    func contactCount(tenant: String) async throws(StoreError) -> Int

    // MARK: Change feed

    /// Up to `limit` of the tenant's changes after sequence number `cursor`, oldest first, each with
    /// its contact as it is now. Throws `.expired` when changes after `cursor` are no longer all
    /// retained (pruned, or the cursor is ahead of the tenant's newest change).
    func changes(tenant: String, after cursor: Int64, limit: Int) async throws(StoreError) -> ContactChangePage
    /// The tenant's newest change sequence number (0 before its first change or for an unknown tenant).
    func changeCursor(tenant: String) async throws(StoreError) -> Int64
    /// Advanced after every commit that logged changes; readers of the feed wait on it.
    var changeSignal: ChangeSignal { get }
    /// Deletes every tenant's changes committed before `before` (Unix ms); returns how many went.
    /// A cursor before the newest deleted change is refused from then on.
    func pruneChanges(before: Int64) async throws(StoreError) -> Int
    // MARK: Contact overrides

    /// Sets `override` on its contact (replacing that field's earlier override) and bumps the
    /// tenant's contacts generation, in one transaction; returns the contact with its overrides as
    /// committed. `.notFound` when the tenant has no contact `override.contactID`.
    func setContactOverride(tenant: String, _ override: ContactOverrideRecord) async throws(StoreError)
        -> OverriddenContact
    /// Removes the override of `field` of the contact, bumping the contacts generation when there
    /// was one, in one transaction; returns the contact with its remaining overrides and whether an
    /// override was removed. `.notFound` when the tenant has no contact `contactID`.
    func clearContactOverride(tenant: String, contactID: String, field: ContactField) async throws(StoreError)
        -> (contact: OverriddenContact, removed: Bool)
    /// The overrides of the contacts `contactIDs`, by contact id (a contact without any is absent).
    func contactOverrides(tenant: String, contactIDs: [String]) async throws(StoreError)
        -> [String: [ContactOverrideRecord]]
    /// Every override of the tenant's contacts, by contact id.
    func contactOverrides(tenant: String) async throws(StoreError) -> [String: [ContactOverrideRecord]]

    // MARK: Photos

    /// The etag of every stored photo of the tenant, by contact id.
    func photoETags(tenant: String) async throws(StoreError) -> [String: String]
    /// Writes the contact's photo, or deletes it when `photo` is nil, in ONE transaction of its own.
    /// Returns whether the store changed: false when the contact does not exist (a photo is kept
    /// only beside its contact) or, for a deletion, when it had no photo.
    func setPhoto(_ photo: ContactPhoto?, tenant: String, contactID: String) async throws(StoreError) -> Bool
    /// The contact's photo, or nil.
    func photo(tenant: String, contactID: String) async throws(StoreError) -> ContactPhoto?

    // MARK: Groups

    /// Replaces the tenant's cached groups with `groups`.
    func replaceGroups(tenant: String, groups: [GroupRecord], now: Int64) async throws(StoreError)
    /// Every cached group of the tenant (any order) and when the cache was last replaced (nil when empty).
    func groups(tenant: String) async throws(StoreError) -> (groups: [GroupRecord], refreshedAt: Int64?)
    /// The cached group `id` of any kind.
    func group(tenant: String, id: String) async throws(StoreError) -> GroupRecord?
    /// Mail-enabled security groups matching `query` (case- and accent-insensitive prefix of the
    /// name, of a word of it, or of the mail), best first: whole-name prefix, word prefix, mail
    /// prefix, then alphabetical. An empty query lists them alphabetically.
    func searchGroups(tenant: String, query: String, limit: Int) async throws(StoreError) -> [GroupRecord]

    // MARK: Sync jobs

    /// Stores a new job; `.conflict` when the tenant already has an active (queued or running) job.
    func createJob(_ job: SyncJobRecord) async throws(StoreError)
    /// Saves every field of `job` except its id, tenant and creation time.
    func updateJob(_ job: SyncJobRecord) async throws(StoreError)
    /// The job with `id`.
    func job(id: String) async throws(StoreError) -> SyncJobRecord?
    /// The tenant's most recent jobs, newest first.
    func jobs(tenant: String, limit: Int) async throws(StoreError) -> [SyncJobRecord]
    /// The tenant's queued or running job, if any.
    func activeJob(tenant: String) async throws(StoreError) -> SyncJobRecord?
    /// The tenant and what a status shows of it (``TenantStatus``), read together; nil when there
    /// is no such tenant.
    func status(tenant: String, recentJobs: Int) async throws(StoreError) -> TenantStatus?
    /// Marks INTERRUPTED every queued or running job that no running server holds, and returns their
    /// ids: at start-up, every such job of a store one process owns; in a store shared by replicas
    /// (``ReplicaCoordination``), the jobs whose lease has run out, at any time.
    func interruptActiveJobs(now: Int64) async throws(StoreError) -> [String]

    // MARK: Staging and apply

    /// Stages one page of a job's fetched rows (upserts) and removals in one short transaction.
    /// A contact staged twice keeps its last version.
    func stage(job: String, contacts: [ContactRecord], removals: [String]) async throws(StoreError)
    /// Applies the job's staged rows to the tenant's contacts in ONE transaction, deletes the
    /// staging, saves `deltaLink` when given, and returns what changed. Contact overrides are never
    /// touched, except that a removed contact's go with it, in the same transaction.
    func apply(job: String, tenant: String, kind: ApplyKind, now: Int64, deltaLink: String?) async throws(StoreError)
        -> ApplyCounts
    /// The apply, checking `limits` inside its transaction: when the counts break one, it rolls
    /// back and answers ``ApplyOutcome/refused(_:)`` (the staging stays for the caller to discard).
    func apply(job: String, tenant: String, kind: ApplyKind, now: Int64, deltaLink: String?, limits: ApplyLimits)
        async throws(StoreError) -> ApplyOutcome
    /// A first sync's apply that writes pages as they arrive (``StreamedApply``), its contacts
    /// stamped `now`; nil when the tenant has contacts or the store does not offer one (then stage
    /// and apply).
    func beginStreamedApply(job: String, tenant: String, now: Int64) async throws(StoreError) -> (any StreamedApply)?
    /// What `apply` would do, with up to `sampleLimit` examples per action; writes nothing.
    func plan(job: String, tenant: String, kind: ApplyKind, sampleLimit: Int) async throws(StoreError) -> ApplyPlan
    /// Deletes a job's staging (after a cancel or a failure).
    func discardStaging(job: String) async throws(StoreError)
    /// Deletes the staging of every job not in `jobs` (leftovers of dead runs) and not held by
    /// another replica sharing the store; returns rows deleted.
    func cleanStaging(except jobs: Set<String>) async throws(StoreError) -> Int
}

extension Store {
    /// No streamed apply: the job stages its pages and applies them at the end.
    package func beginStreamedApply(job: String, tenant: String, now: Int64) async throws(StoreError)
        -> (any StreamedApply)?
    { nil }

    /// Four reads, one after another: for a store that has nothing quicker.
    package func status(tenant id: String, recentJobs: Int) async throws(StoreError) -> TenantStatus? {
        guard let tenant = try await tenant(id: id) else { return nil }
        return TenantStatus(
            tenant: tenant,
            activeJob: try await activeJob(tenant: id),
            recentJobs: try await jobs(tenant: id, limit: recentJobs),
            contactCount: try await contactCount(tenant: id)
        )
    }

    /// Creates a key that never expires.
    package func createAPIKey(tenant: String, role: APIKeyRole, label: String, now: Int64) async throws(StoreError)
        -> (key: APIKeyRecord, token: String)
    {
        try await createAPIKey(tenant: tenant, role: role, label: label, now: now, expiresAt: nil)
    }
}
