package import RosterStore

/// What to synchronize: the tenant, the scope, and how carefully.
package struct SyncRequest: Sendable, Hashable {
    /// The tenant to sync.
    package var tenantID: String
    /// All users, or the users of one mail-enabled security group.
    package var scope: SyncScope
    /// Compute the plan (counts to add, update, remove, with samples) and change nothing.
    package var dryRun: Bool
    /// The starter accepts removals beyond the deletion threshold, of every contact, or of the
    /// people outside a group the scope changes to. Default false.
    package var acknowledgeRemovals: Bool
    /// The API key id (or operator) starting it; nil for scheduled runs.
    package var startedBy: String?
    /// What started it. Default manual.
    package var trigger: JobTrigger
    /// Fetch everyone even when a delta link is stored (the next all-users run starts a new one).
    package var forceFull: Bool

    /// A request for `scope` of `tenantID`; a real run, no acknowledgement, started manually.
    package init(
        tenantID: String,
        scope: SyncScope,
        dryRun: Bool = false,
        acknowledgeRemovals: Bool = false,
        startedBy: String? = nil,
        trigger: JobTrigger = .manual,
        forceFull: Bool = false
    ) {
        self.tenantID = tenantID
        self.scope = scope
        self.dryRun = dryRun
        self.acknowledgeRemovals = acknowledgeRemovals
        self.startedBy = startedBy
        self.trigger = trigger
        self.forceFull = forceFull
    }
}
