import RosterRPC
import RosterStore
import RosterSync
import RosterWire

// GetStatus, ListGroups, ListContacts, GetContact, ListSyncJobs. Contacts are shown with their
// local overrides applied (``overridden(_:tenant:)``); lookups by mail or userPrincipalName match
// the directory's addresses, which overrides do not change.
extension RosterService {
    func getStatus(caller: Caller) async throws(RPCError) -> GetStatusResponse {
        guard
            let status = try await storeCall({ () async throws(StoreError) in
                try await store.status(tenant: caller.tenantID, recentJobs: 5)
            })
        else {
            throw Self.tenantGone(caller)
        }
        let (tenant, active, recent, count) = (status.tenant, status.activeJob, status.recentJobs, status.contactCount)
        var response = GetStatusResponse()
        response.tenantID = tenant.id
        response.connectionState = RosterWire.ConnectionState(tenant.connectionState)
        response.connectionErrorCode = tenant.connectionErrorCode ?? ""
        if tenant.connectionState == .consentRequired { response.adminConsentURL = adminConsentURL(tenant) ?? "" }
        response.savedScope = RosterWire.SyncScope(tenant.scope)
        if let active {
            // The live record (counts as of now) when this process runs it.
            var job = SyncJob(active)
            if let live = jobs.progress.latest(job: active.id), !live.isFinal {
                job.phase = SyncPhase(live.phase)
                job.state = RosterWire.JobState(live.state)
                job.counters = ProgressCounters(
                    fetched: live.fetched,
                    total: live.total,
                    added: live.added,
                    updated: live.updated,
                    removed: live.removed,
                    unchanged: live.unchanged
                )
            }
            response.activeJob = job
        }
        if let finished = recent.first(where: { !$0.state.isActive }) { response.lastFinishedJob = SyncJob(finished) }
        response.contactCount = Int64(count)
        response.settings = TenantSettings(tenant)
        response.nextScheduledUnixMs = tenant.syncIntervalMinutes > 0 ? (tenant.nextSyncAt ?? 0) : 0
        response.callerRole = Role(caller.role)
        if let index = try? await groups.index(tenant: tenant.id) {
            response.groupsRefreshedUnixMs = index.refreshedAt ?? 0
        }
        return response
    }

    func listGroups(_ request: ListGroupsRequest, caller: Caller) async throws(RPCError) -> ListGroupsResponse {
        try caller.require([.admin, .editor], to: "search groups")
        guard request.limit >= 0 else {
            throw RPCError(.invalidArgument, "limit must not be negative (default 10, at most 100)")
        }
        let limit = request.limit == 0 ? 10 : min(Int(request.limit), 100)
        let index = try await storeCall { () async throws(StoreError) in try await groups.index(tenant: caller.tenantID)
        }
        if Self.isStale(index, now: configuration.now(), maxAge: configuration.groupCacheMaxAge) {
            groups.refreshInBackground(tenant: caller.tenantID)
        }
        var response = ListGroupsResponse()
        response.groups = index.search(request.query, limit: limit).map(Group.init)
        response.refreshedUnixMs = index.refreshedAt ?? 0
        return response
    }

    func listContacts(_ request: ListContactsRequest, caller: Caller) async throws(RPCError) -> ListContactsResponse {
        guard request.pageSize >= 0 else {
            throw RPCError(.invalidArgument, "page_size must not be negative (default 100, at most 1,000)")
        }
        let pageSize = request.pageSize == 0 ? 100 : min(Int(request.pageSize), 1_000)
        let after = request.pageToken.isEmpty ? nil : try ContactPageToken.decode(request.pageToken)
        let tenant = caller.tenantID
        var response = ListContactsResponse()
        if after == nil {
            // Read before the page: a change committed meanwhile is replayed by the feed, never missed.
            response.changeCursor = try await storeCall { () async throws(StoreError) in
                try await store.changeCursor(tenant: tenant)
            }
        }
        let page: ContactSearch.Page
        if request.search.isEmpty {
            page = try await storeCall { () async throws(StoreError) in
                let rows = try await store.contacts(tenant: tenant, after: after, limit: pageSize + 1)
                return ContactSearch.Page(
                    contacts: Array(rows.prefix(pageSize)),
                    hasMore: rows.count > pageSize,
                    total: try await store.contactCount(tenant: tenant)
                )
            }
        } else {
            page = try await storeCall { () async throws(StoreError) in
                try await contactIndexes.page(
                    tenant: tenant,
                    query: request.search,
                    after: after,
                    pageSize: pageSize,
                    store: store
                )
            }
        }
        let shown = try await storeCall { () async throws(StoreError) in
            try await overridden(page.contacts, tenant: tenant)
        }
        response.contacts = shown.map { Contact($0, includeDirectoryValues: request.includeDirectoryValues) }
        response.total = Int64(page.total)
        if page.hasMore, let last = page.contacts.last { response.nextPageToken = ContactPageToken.encode(last.id) }
        return response
    }

    func getContact(_ request: GetContactRequest, caller: Caller) async throws(RPCError) -> GetContactResponse {
        let found = try await contact(request.lookup, caller: caller, call: "GetContact").record
        let tenant = caller.tenantID
        let shown = try await storeCall { () async throws(StoreError) in try await overridden([found], tenant: tenant) }
        var response = GetContactResponse()
        response.contact = shown.first.map { Contact($0, includeDirectoryValues: request.includeDirectoryValues) }
        return response
    }

    /// The contact a GetContact-style lookup names (validated first, naming `call` in refusals),
    /// and the lookup in words; NOT_FOUND when there is none.
    func contact(_ lookup: GetContactRequest.Lookup?, caller: Caller, call: String) async throws(RPCError)
        -> (record: ContactRecord, what: String)
    {
        try Self.validate(lookup, call: call)
        let tenant = caller.tenantID
        let found: ContactRecord?
        let what: String
        switch lookup {
        case .id(let id)?:
            what = "id \(id)"
            found = try await storeCall { () async throws(StoreError) in try await store.contact(tenant: tenant, id: id)
            }
        case .mail(let address)?:
            // By mail, then by userPrincipalName (an account without mail is known by its UPN).
            what = address
            found = try await storeCall { () async throws(StoreError) in
                try await store.contact(tenant: tenant, address: address)
            }
        case .userPrincipalName(let name)?:
            what = name
            found = try await storeCall { () async throws(StoreError) in
                try await store.contact(tenant: tenant, userPrincipalName: name)
            }
        case nil:
            throw RPCError(.invalidArgument, "\(call) needs one of id, mail or user_principal_name")
        }
        guard let found else {
            throw RPCError(
                .notFound,
                "no contact with \(what); the contact may be outside the sync scope, or not synced yet"
            )
        }
        return (found, what)
    }

    /// `contacts` (as the store holds them) with their local overrides, read in one go: what every
    /// read hands to ``Contact/init(_:includeDirectoryValues:)``, which shows the effective values.
    func overridden(_ contacts: [ContactRecord], tenant: String) async throws(StoreError) -> [OverriddenContact] {
        let overrides = try await store.contactOverrides(tenant: tenant, contactIDs: contacts.map(\.id))
        return contacts.map { OverriddenContact(directory: $0, overrides: overrides[$0.id] ?? []) }
    }

    /// The longest lookup value GetContact accepts, in characters: more than any Graph id, mail
    /// address (254) or userPrincipalName (113 before the domain) can be.
    static let maxLookupLength = 256

    /// Refuses a GetContact (or `call`) lookup that can name no contact, naming its field: an empty
    /// value, one longer than ``maxLookupLength``, or a mail or userPrincipalName without an '@'.
    static func validate(_ lookup: GetContactRequest.Lookup?, call: String = "GetContact") throws(RPCError) {
        let field: String
        let value: String
        switch lookup {
        case .id(let id)?: (field, value) = ("id", id)
        case .mail(let address)?: (field, value) = ("mail", address)
        case .userPrincipalName(let name)?: (field, value) = ("user_principal_name", name)
        case nil: return
        }
        if value.isEmpty {
            throw RPCError(.invalidArgument, "\(call)'s \(field) is empty; give the \(field) to look up")
        }
        if value.count > maxLookupLength {
            throw RPCError(
                .invalidArgument,
                "\(call)'s \(field) is \(value.count) characters long; at most \(maxLookupLength) can name a contact"
            )
        }
        if field != "id", !value.contains("@") {
            throw RPCError(
                .invalidArgument,
                "\(call)'s \(field) \"\(value)\" has no '@'; give an address like ada@example.com, or look up by id"
            )
        }
    }

    func listSyncJobs(_ request: ListSyncJobsRequest, caller: Caller) async throws(RPCError) -> ListSyncJobsResponse {
        guard request.limit >= 0 else {
            throw RPCError(.invalidArgument, "limit must not be negative (default 20, at most 200)")
        }
        let limit = request.limit == 0 ? 20 : min(Int(request.limit), 200)
        var offset = 0
        if !request.pageToken.isEmpty {
            // History is paged by offset; the first 10,000 jobs are reachable (years of 6-hourly runs).
            guard let value = Int(request.pageToken), value >= 0, value <= 10_000 else {
                throw RPCError(.invalidArgument, "page_token is not one this server gave; start from the first page")
            }
            offset = value
        }
        let tenant = caller.tenantID
        let jobs = try await storeCall { () async throws(StoreError) in
            try await store.jobs(tenant: tenant, limit: offset + limit + 1)
        }
        var response = ListSyncJobsResponse()
        response.jobs = jobs.dropFirst(offset).prefix(limit).map(SyncJob.init)
        if jobs.count > offset + limit, offset + limit <= 10_000 { response.nextPageToken = String(offset + limit) }
        return response
    }

    /// Whether the cache should be refreshed: never filled, or older than the maximum age.
    static func isStale(_ index: GroupIndex, now: Int64, maxAge: Duration) -> Bool {
        guard let refreshedAt = index.refreshedAt else { return true }
        let (seconds, attoseconds) = maxAge.components
        return now - refreshedAt > seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
