/// The metadata keys the sync engine logs under.
package enum SyncLogKey: String, Sendable {
    /// The tenant of the job.
    case tenant = "sync.tenant"
    /// The job's id.
    case job = "sync.job"
    /// Full or delta.
    case mode = "sync.mode"
    /// The job's final state.
    case state = "sync.state"
    /// What the job did: added, updated, removed, unchanged.
    case counts = "sync.counts"
    /// Why a job failed.
    case error = "sync.error"
    /// Why a run departed from what was asked (a delta that became a full run).
    case note = "sync.note"
    /// The contact a line is about (a photo that was not synced).
    case contact = "sync.contact"
}
