internal import Foundation
package import Logging
package import RosterRPC
package import RosterStore
package import RosterSync
internal import RosterWire

/// The `roster.v1.Roster` service: each call authenticated by its API key (tenant + role), checked
/// against the rules of docs/product.md, served from the store, the job manager and the group cache.
///
/// Register it on a router with ``register(into:)``; it owns no sockets.
package final class RosterService: Sendable {
    /// Tunables of the service.
    package struct Configuration: Sendable {
        /// The group cache is refreshed in the background when a ListGroups finds it older.
        package var groupCacheMaxAge: Duration = .seconds(15 * 60)
        /// Groups one tenant's cache may hold; a directory listing more fails the refresh (the
        /// previous groups keep answering). Default 200,000. Pages are bounded too, at one per
        /// 100 of these, so a listing whose next link loops over empty pages ends as well.
        package var maxCachedGroups = 200_000
        /// Tenants whose contact search index is kept in memory (about 140 MiB per 100,000
        /// contacts); the least recently searched goes first. Default 4.
        package var contactIndexTenants = 4
        /// How long the change feed keeps changes; nil when the feed is off (the store logs none).
        /// Default 7 days.
        package var changeRetention: Duration? = .seconds(7 * 24 * 60 * 60)
        /// How often a WatchContactChanges stream looks at the store even without news of a commit
        /// (a safety net: commits wake it at once). Default 5 s.
        package var changePollInterval: Duration = .seconds(5)
        /// Changes a WatchContactChanges stream reads from the store at a time. Default 256.
        package var changeWatchPage = 256
        /// The clock, in Unix milliseconds.
        package var now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000) }

        package init() {}
    }

    let store: any Store
    let jobs: JobManager
    let groups: GroupCache
    /// In-memory search indexes of the tenants' contacts (ListContacts' search).
    package let contactIndexes: ContactIndexCache
    let authenticator: Authenticator
    let connector: DirectoryConnector
    /// Pages of the change feed shared by WatchContactChanges streams.
    let changePages: ChangePageCache
    let configuration: Configuration
    let logger: Logger

    /// A service over `store` and `jobs`, reading directories through `connector`.
    package init(
        store: any Store,
        jobs: JobManager,
        connector: DirectoryConnector,
        authenticator: Authenticator? = nil,
        contactIndexes: ContactIndexCache? = nil,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "roster.service")
    ) {
        self.store = store
        self.jobs = jobs
        self.connector = connector
        self.authenticator = authenticator ?? Authenticator(store: store, now: configuration.now)
        self.configuration = configuration
        self.logger = logger
        self.changePages = ChangePageCache(pageSize: configuration.changeWatchPage, now: configuration.now)
        self.contactIndexes = contactIndexes ?? ContactIndexCache(capacity: configuration.contactIndexTenants)
        self.groups = GroupCache(
            store: store,
            connector: connector,
            maxGroups: configuration.maxCachedGroups,
            now: configuration.now,
            logger: logger
        )
    }

    /// Runs the service's background work (group cache refreshes, contact index rebuilds after a
    /// sync) until the calling task is cancelled. Calls are served without it; the work asked for
    /// waits until it runs.
    package func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.groups.run() }
            group.addTask { await self.contactIndexes.runPrebuilds(store: self.store) }
            group.addTask { await self.flushKeyUse(every: .seconds(60)) }
            group.addTask { await self.pruneChanges() }
        }
    }

    /// Acts on news from the replicas sharing the store: another replica's new groups for a tenant
    /// replace this one's in-memory index of them at the next search; another replica's commit
    /// wakes this one's change-feed watchers of the tenant.
    package func handle(_ event: ReplicaEvent, replicaID: String) {
        switch event {
        case .groupsReplaced(let tenant, let replica) where replica != replicaID:
            groups.forget(tenant: tenant)
        case .contactsChanged(let tenant):
            store.changeSignal.advance(tenant: tenant)
        case .resynchronize:
            groups.forgetAll()
            store.changeSignal.advanceAll()
        default:
            break
        }
    }

    /// Writes when each key was last used, every `interval` and once more when cancelled.
    private func flushKeyUse(every interval: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            await authenticator.flushUse()
        }
    }

    /// Registers every call of `roster.v1.Roster` (``RosterMethods``) on `router`.
    /// The listings whose pages can hold 1,000 contacts run on the background threads (`.background`).
    package func register(into router: inout RPCRouter) {
        router.register(RosterMethods.connectDirectory) { [self] request, context in
            try await connectDirectory(request, caller: try await caller(context))
        }
        router.register(RosterMethods.getStatus) { [self] _, context in
            try await getStatus(caller: try await caller(context))
        }
        router.register(RosterMethods.startSync) { [self] request, context in
            try await startSync(request, caller: try await caller(context))
        }
        router.register(RosterMethods.cancelSync) { [self] request, context in
            try await cancelSync(request, caller: try await caller(context))
        }
        router.register(RosterMethods.watchProgress) { [self] request, writer, context in
            try await watchProgress(request, writer: writer, caller: try await caller(context))
        }
        router.register(RosterMethods.listGroups) { [self] request, context in
            try await listGroups(request, caller: try await caller(context))
        }
        router.register(RosterMethods.listContacts, runsOn: .background) { [self] request, context in
            try await listContacts(request, caller: try await caller(context))
        }
        router.register(RosterMethods.getContact) { [self] request, context in
            try await getContact(request, caller: try await caller(context))
        }
        router.register(RosterMethods.listSyncJobs) { [self] request, context in
            try await listSyncJobs(request, caller: try await caller(context))
        }
        router.register(RosterMethods.updateSettings) { [self] request, context in
            try await updateSettings(request, caller: try await caller(context))
        }
        router.register(RosterMethods.createAPIKey) { [self] request, context in
            try await createAPIKey(request, caller: try await caller(context))
        }
        router.register(RosterMethods.listAPIKeys) { [self] _, context in
            try await listAPIKeys(caller: try await caller(context))
        }
        router.register(RosterMethods.revokeAPIKey) { [self] request, context in
            try await revokeAPIKey(request, caller: try await caller(context))
        }
        router.register(RosterMethods.listContactChanges, runsOn: .background) { [self] request, context in
            try await listContactChanges(request, caller: try await caller(context))
        }
        router.register(RosterMethods.watchContactChanges) { [self] request, writer, context in
            try await watchContactChanges(request, writer: writer, caller: try await caller(context))
        }
        router.register(RosterMethods.setContactOverride) { [self] request, context in
            try await setContactOverride(request, caller: try await caller(context))
        }
        router.register(RosterMethods.clearContactOverride) { [self] request, context in
            try await clearContactOverride(request, caller: try await caller(context))
        }
        router.register(RosterMethods.getContactPhoto) { [self] request, context in
            try await getContactPhoto(request, caller: try await caller(context))
        }
    }

    /// The caller of a call, from its metadata.
    func caller(_ context: RPCServerContext) async throws(RPCError) -> Caller {
        try await authenticator.caller(metadata: context.metadata)
    }

    /// The caller's tenant record.
    func tenant(of caller: Caller) async throws(RPCError) -> TenantRecord {
        guard
            let tenant = try await storeCall({ () async throws(StoreError) in
                try await store.tenant(id: caller.tenantID)
            })
        else {
            throw Self.tenantGone(caller)
        }
        return tenant
    }

    /// The answer to a call whose key names a tenant that was deleted.
    static func tenantGone(_ caller: Caller) -> RPCError {
        RPCError(.notFound, "the key's tenant \(caller.tenantID) no longer exists; ask the operator")
    }
}
