package import RosterStore

/// Where one sync job stands: what a WatchProgress stream sends, one value at a time.
///
/// Counts grow while the job runs; `summary` is set on the final value only (the confirmation
/// text, e.g. "Synchronized 1,204 contacts (12 added, 3 updated, 5 removed) in 2.3 s").
package struct SyncProgress: Sendable, Hashable {
    /// The job's id.
    package var jobID: String
    /// The tenant it syncs.
    package var tenantID: String
    /// Queued, running, or the final state.
    package var state: JobState
    /// The step a running job is in.
    package var phase: JobPhase?
    /// Full or delta (a delta that fell back to a full run reports `full` from then on).
    package var mode: SyncMode
    /// Users received from the directory so far.
    package var fetched = 0
    /// Users in scope when the directory said how many (group listings; unknown for delta queries).
    package var total: Int?
    /// Contacts added by the apply (for a dry run: that it would add).
    package var added = 0
    /// Contacts updated.
    package var updated = 0
    /// Contacts removed.
    package var removed = 0
    /// Staged contacts that needed no change.
    package var unchanged = 0
    /// 0…100 when it can be estimated: fetching counts for 90, applying for the last 10.
    package var percent: Double?
    /// Estimated time left in milliseconds, from the time so far and `percent`.
    package var etaMilliseconds: Int64?
    /// The directory's current throttling wait in milliseconds, while one lasts.
    package var throttleWaitMilliseconds: Int64?
    /// What is happening, in words ("fetching users", "waiting 5 s: the directory is throttling").
    package var message: String
    /// The confirmation text, on the final value of a job.
    package var summary: String?
    /// Why the job failed, was cancelled or interrupted, on its final value.
    package var error: SyncError?
    /// For a dry run's final value: what the apply would do, with samples.
    package var plan: ApplyPlan?
    /// When the job started running (Unix ms), once it has.
    package var startedAt: Int64?
    /// When the job reached its final state (Unix ms), once it has.
    package var finishedAt: Int64?

    /// The progress of a job record as stored (the counts it holds, no plan).
    package init(job: SyncJobRecord) {
        self.jobID = job.id
        self.tenantID = job.tenantID
        self.state = job.state
        self.phase = job.phase
        self.mode = job.mode
        self.fetched = job.fetched
        self.total = job.total
        self.added = job.added
        self.updated = job.updated
        self.removed = job.removed
        self.unchanged = job.unchanged
        self.startedAt = job.startedAt
        self.finishedAt = job.finishedAt
        self.message = job.errorMessage ?? job.state.rawValue
        if let code = job.errorCode, let message = job.errorMessage {
            self.error = SyncError(code: code, message: message)
        }
        if job.state == .succeeded, let startedAt = job.startedAt, let finishedAt = job.finishedAt {
            self.summary = Self.summary(job: job, milliseconds: finishedAt - startedAt)
        }
        if job.state == .succeeded { percent = 100 }
    }

    /// Whether this is a job's last value.
    package var isFinal: Bool { !state.isActive }

    // MARK: - Summary text

    /// The job's `total` is the tenant's contact count after the run (after the plan, for a dry run).
    /// "Synchronized 1,204 contacts (12 added, 3 updated, 5 removed) in 2.3 s"; for a dry run,
    /// "Dry run: would add 12, update 3 and remove 5 contacts (1,204 after); nothing was changed".
    static func summary(job: SyncJobRecord, milliseconds: Int64) -> String {
        let total = job.total ?? (job.added + job.updated + job.unchanged)
        if job.dryRun {
            return "Dry run: would add \(grouped(job.added)), update \(grouped(job.updated)) and remove "
                + "\(grouped(job.removed)) contacts (\(grouped(total)) after); nothing was changed"
        }
        return "Synchronized \(grouped(total)) contacts (\(grouped(job.added)) added, \(grouped(job.updated)) updated, "
            + "\(grouped(job.removed)) removed) in \(seconds(milliseconds))" + (job.photos.map(photoSummary) ?? "")
    }

    /// "; photos: 1,000 checked, 10 new or changed, 1 removed, 2 failed".
    static func photoSummary(_ photos: PhotoCounts) -> String {
        var text =
            "; photos: \(grouped(photos.checked)) checked, "
            + "\(grouped(photos.written)) new or changed, \(grouped(photos.removed)) removed"
        if photos.failed > 0 { text += ", \(grouped(photos.failed)) failed" }
        if photos.skipped > 0 { text += ", \(grouped(photos.skipped)) not checked" }
        return text
    }

    /// 1204 → "1,204".
    /// "1st", "2nd", "3rd", "4th", "11th", "21st", "112th".
    static func ordinal(_ value: Int) -> String {
        let suffix: String
        switch (value % 10, value % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return grouped(value) + suffix
    }

    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// 2345 → "2.3 s" (tenths, rounded down).
    static func seconds(_ milliseconds: Int64) -> String {
        let tenths = max(0, milliseconds) / 100
        return "\(grouped(Int(tenths / 10))).\(tenths % 10) s"
    }
}

extension SyncError {
    /// Rebuilds an error from a stored job record's code and message (for jobs read back from the store).
    init(code: String, message: String) {
        self.init(Code(stored: code), message)
    }
}
