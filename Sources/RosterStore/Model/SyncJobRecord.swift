/// One sync run: what it covers, where it stands, what it did.
package struct SyncJobRecord: Sendable, Hashable {
    package var id: String
    package var tenantID: String
    package var scope: SyncScope
    package var mode: SyncMode
    package var state: JobState
    package var phase: JobPhase?
    /// Counters: users fetched so far, and the apply step's outcome.
    package var fetched = 0
    package var added = 0
    package var updated = 0
    package var removed = 0
    package var unchanged = 0
    /// Contacts in scope when known.
    package var total: Int?
    package var errorCode: String?
    package var errorMessage: String?
    /// Unix ms.
    package var createdAt: Int64
    package var startedAt: Int64?
    package var finishedAt: Int64?
    /// The API key id (or operator) that started it; nil for scheduled runs.
    package var startedBy: String?
    package var trigger: JobTrigger
    package var dryRun: Bool
    /// Whether the starter acknowledged that the run may remove contacts beyond the threshold.
    package var acknowledgedRemovals: Bool

    /// A queued job.
    package init(
        id: String, tenantID: String, scope: SyncScope, mode: SyncMode, createdAt: Int64,
        startedBy: String?, trigger: JobTrigger, dryRun: Bool = false, acknowledgedRemovals: Bool = false
    ) {
        self.id = id
        self.tenantID = tenantID
        self.scope = scope
        self.mode = mode
        self.state = .queued
        self.createdAt = createdAt
        self.startedBy = startedBy
        self.trigger = trigger
        self.dryRun = dryRun
        self.acknowledgedRemovals = acknowledgedRemovals
    }
}
