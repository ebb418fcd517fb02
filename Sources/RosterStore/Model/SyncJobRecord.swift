/// One sync run: what it covers, where it stands, what it did.
package struct SyncJobRecord: Sendable, Hashable {
    /// The job's id.
    package var id: String
    /// The tenant it syncs.
    package var tenantID: String
    /// Which users it covers.
    package var scope: SyncScope
    /// Full or delta.
    package var mode: SyncMode
    /// Where it stands.
    package var state: JobState
    /// The step it is in while running.
    package var phase: JobPhase?
    /// Users fetched from the directory so far.
    package var fetched = 0
    /// Contacts added by its apply.
    package var added = 0
    /// Contacts updated by its apply.
    package var updated = 0
    /// Contacts removed by its apply.
    package var removed = 0
    /// Staged contacts that needed no change.
    package var unchanged = 0
    /// Contacts in scope when known.
    package var total: Int?
    /// Why it failed (a stable code), if it did.
    package var errorCode: String?
    /// What went wrong and what to do next, if it failed.
    package var errorMessage: String?
    /// Where the run departed from what was asked, and why: "running a full sync instead: …"
    /// when a delta run fell back to a full one. Nil when it ran as asked.
    package var note: String?
    /// What the run's photo refresh did; nil when it refreshed none (the tenant does not sync
    /// photos, the run failed or was a dry run, or the refresh could not begin).
    package var photos: PhotoCounts?
    /// Unix ms.
    package var createdAt: Int64
    /// When it started running (Unix ms).
    package var startedAt: Int64?
    /// When it reached a final state (Unix ms).
    package var finishedAt: Int64?
    /// The API key id (or operator) that started it; nil for scheduled runs.
    package var startedBy: String?
    /// What started it.
    package var trigger: JobTrigger
    /// A dry run computes the plan and changes nothing.
    package var dryRun: Bool
    /// Whether the starter acknowledged that the run may remove contacts beyond the threshold.
    package var acknowledgedRemovals: Bool

    /// A queued job.
    package init(
        id: String,
        tenantID: String,
        scope: SyncScope,
        mode: SyncMode,
        createdAt: Int64,
        startedBy: String?,
        trigger: JobTrigger,
        dryRun: Bool = false,
        acknowledgedRemovals: Bool = false
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

/// What one sync's photo refresh did, as its job stores it.
package struct PhotoCounts: Sendable, Hashable {
    /// Contacts whose photo was asked for.
    package var checked = 0
    /// Photos written (new or changed).
    package var written = 0
    /// Photos deleted (the user has none any more).
    package var removed = 0
    /// Photos that could not be fetched or written.
    package var failed = 0
    /// Contacts never asked about: the refresh stopped early (failures in a row, or a cancel).
    package var skipped = 0

    package init(checked: Int = 0, written: Int = 0, removed: Int = 0, failed: Int = 0, skipped: Int = 0) {
        self.checked = checked
        self.written = written
        self.removed = removed
        self.failed = failed
        self.skipped = skipped
    }
}
