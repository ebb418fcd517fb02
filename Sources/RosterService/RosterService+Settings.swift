import Logging
import RosterDirectory
import RosterRPC
import RosterStore
import RosterWire

// UpdateSettings: automatic sync, deletion threshold, disabled accounts, the scheduled scope, the
// additional user properties, photos.
extension RosterService {
    /// The longest automatic sync interval accepted: 30 days.
    static let maximumSyncIntervalMinutes: UInt32 = 30 * 24 * 60

    func updateSettings(_ request: UpdateSettingsRequest, caller: Caller) async throws(RPCError)
        -> UpdateSettingsResponse
    {
        try caller.require([.admin], to: "change the tenant's settings")
        if let minutes = request.syncIntervalMinutes, minutes != 0,
            minutes < 5 || minutes > Self.maximumSyncIntervalMinutes
        {
            throw RPCError(
                .invalidArgument,
                "sync_interval_minutes must be 0 (off) or between 5 and \(Self.maximumSyncIntervalMinutes) (30 days)"
            )
        }
        var attributes: [String]?
        if let list = request.attributes {
            do {
                attributes = try UserAttributes.canonical(list.names)
            } catch {
                throw RPCError(.invalidArgument, "attributes: \(error)")
            }
        }
        var scheduledScope: RosterStore.SyncScope?
        if let scope = request.scheduledScope {
            scheduledScope = try Self.scope(scope)
        }
        // Read before the tenant, so that nothing awaits between reading and writing the tenant.
        let activeJob =
            request.includeDisabledAccounts == nil && attributes == nil
            ? nil
            : try await storeCall { () async throws(StoreError) in try await store.activeJob(tenant: caller.tenantID) }
        var tenant = try await tenant(of: caller)
        if case .group(let id, _)? = scheduledScope {
            // Only a group already synced once may be scheduled: its removals were acknowledged then.
            guard case .group(id, let name) = tenant.scope else {
                throw RPCError(
                    .failedPrecondition,
                    "schedule a group only after one manual sync of it (StartSync with that group) has succeeded"
                )
            }
            scheduledScope = .group(id: id, name: name)
        }
        if let minutes = request.syncIntervalMinutes {
            let wasOff = tenant.syncIntervalMinutes == 0
            tenant.syncIntervalMinutes = Int(minutes)
            if minutes == 0 {
                tenant.nextSyncAt = nil
            } else if wasOff || tenant.nextSyncAt == nil {
                tenant.nextSyncAt = configuration.now() + Int64(minutes) * 60_000
            } else {
                tenant.nextSyncAt = min(tenant.nextSyncAt ?? .max, configuration.now() + Int64(minutes) * 60_000)
            }
        }
        if let threshold = request.deletionThreshold { tenant.deletionThreshold = Int(threshold) }
        if let include = request.includeDisabledAccounts, include != tenant.includeDisabled, let active = activeJob {
            // The running job filters by the old rule and would save a delta link made with it.
            throw RPCError(
                .failedPrecondition,
                "sync job \(active.id) is running; change include_disabled_accounts once it has ended"
            )
        }
        if let include = request.includeDisabledAccounts, include != tenant.includeDisabled {
            tenant.includeDisabled = include
            // The delta link only reports users that change: the next all-users sync must be full
            // so the new rule reaches everyone.
            tenant.deltaLink = nil
        }
        if let attributes, Set(attributes) != Set(tenant.attributes) {
            if let active = activeJob {
                // The running job selects the old list and would save a delta link made with it.
                throw RPCError(
                    .failedPrecondition,
                    "sync job \(active.id) is running; change attributes once it has ended"
                )
            }
            tenant.attributes = attributes
            // A delta link only reports users that change, and its $select is the old list: the
            // next all-users sync must be full so every contact gets the new list's values.
            tenant.deltaLink = nil
        } else if let attributes {
            tenant.attributes = attributes  // the same names in another order: nothing to fetch again
        }
        if let syncPhotos = request.syncPhotos { tenant.syncPhotos = syncPhotos }
        if let scheduledScope { tenant.scope = scheduledScope }
        let saved = tenant
        try await storeCall { () async throws(StoreError) in try await store.updateTenant(saved) }
        logger.info(
            "settings changed",
            metadata: [
                "tenant": "\(tenant.id)", "interval-minutes": "\(tenant.syncIntervalMinutes)",
                "threshold": "\(tenant.deletionThreshold)", "include-disabled": "\(tenant.includeDisabled)",
                "attributes": "\(tenant.attributes.count)", "sync-photos": "\(tenant.syncPhotos)",
            ]
        )
        var response = UpdateSettingsResponse()
        response.settings = TenantSettings(tenant)
        response.nextScheduledUnixMs = tenant.syncIntervalMinutes > 0 ? (tenant.nextSyncAt ?? 0) : 0
        return response
    }
}
