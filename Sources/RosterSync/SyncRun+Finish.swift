import RosterDirectory
import RosterStore

// How a run ends: applied, planned (dry run), or failed; and the tenant fields a run saves.
extension SyncRun {
    /// Records a successful apply and its confirmation summary, with what the photo refresh did
    /// (nil: the tenant does not sync photos). Photos that failed or were never asked for are
    /// said in the job's note.
    func finish(counts: ApplyCounts, photos: PhotoRefresh.Counts? = nil) async {
        let finishedAt = now()
        let note = photos.flatMap(Self.photoNote)
        if let note { onNote(reporter.job, note) }
        reporter.update { job, extras in
            if let note { job.note = [job.note, note].compactMap { $0 }.joined(separator: "; ") }
            job.state = .succeeded
            job.finishedAt = finishedAt
            job.added = counts.added
            job.updated = counts.updated
            job.removed = counts.removed
            job.unchanged = counts.unchanged
            job.total = counts.totalAfter
            job.photos = photos?.stored
            extras.throttleWaitMilliseconds = nil
            extras.summary = SyncProgress.summary(job: job, milliseconds: finishedAt - (job.startedAt ?? finishedAt))
            extras.message = extras.summary ?? ""
        }
        await save()
    }

    /// The note of a run whose photos did not all sync, or nil.
    static func photoNote(_ photos: PhotoRefresh.Counts) -> String? {
        if let reason = photos.notStarted {
            return "the photos were not refreshed (\(reason)); the next sync tries them again"
        }
        var parts: [String] = []
        if photos.tally.failed > 0 {
            var text =
                "\(SyncProgress.grouped(photos.tally.failed)) photo\(photos.tally.failed == 1 ? "" : "s") could not be synced"
            if let first = photos.firstFailure { text += " (first: \(first))" }
            parts.append(text)
        }
        if photos.tally.skipped > 0 {
            parts.append(
                "\(SyncProgress.grouped(photos.tally.skipped)) photo\(photos.tally.skipped == 1 ? " was" : "s were") not checked: "
                    + "the refresh stopped early (a cancel, or failures in a row)"
            )
        }
        guard !parts.isEmpty else { return nil }
        return parts.joined(separator: "; ") + "; the next sync tries them again"
    }

    /// A dry run: records what the apply would do, drops the staging, changes nothing else. When a
    /// real run with the same acknowledgement would stop, the message says so.
    func finishDryRun(plan: ApplyPlan, tenant: TenantRecord) async throws {
        try await store.discardStaging(job: reporter.job.id)
        var warning: String?
        do throws(SyncError) {
            try RemovalRules.check(plan.counts, job: reporter.job, tenant: tenant)
        } catch {
            warning = error.message
        }
        let finishedAt = now()
        reporter.update { job, extras in
            job.state = .succeeded
            job.finishedAt = finishedAt
            job.added = plan.counts.added
            job.updated = plan.counts.updated
            job.removed = plan.counts.removed
            job.unchanged = plan.counts.unchanged
            job.total = plan.counts.totalAfter
            extras.plan = plan
            extras.summary = SyncProgress.summary(job: job, milliseconds: finishedAt - (job.startedAt ?? finishedAt))
            extras.message = warning.map { "a real run would stop: \($0)" } ?? (extras.summary ?? "")
        }
        await save()
    }

    /// Records a failure (or a cancel) and drops whatever the run staged.
    func finish(failure error: SyncError) async {
        let (store, job) = (store, reporter.job.id)
        await Self.uncancelled { try? await store.discardStaging(job: job) }
        let finishedAt = now()
        reporter.update { job, extras in
            job.state =
                switch error.code {
                case .cancelled: .cancelled
                case .interrupted: .interrupted
                default: .failed
                }
            job.finishedAt = finishedAt
            job.errorCode = error.code.description
            job.errorMessage = error.message
            extras.throttleWaitMilliseconds = nil
            extras.error = error
            extras.message = error.message
        }
        await save()
    }

    /// A token failure moves the tenant's connection to CREDENTIALS_INVALID or CONSENT_REVOKED,
    /// with the directory's own error code (docs/product.md, "Connection state"); other failures leave
    /// the connection as it is.
    func recordConnectionFailure(_ error: DirectoryError) async {
        let state: ConnectionState
        switch error.code {
        case .authFailed: state = .credentialsInvalid
        case .consentMissing: state = .consentRevoked
        default: return
        }
        await Self.uncancelled { [self] in
            try? await saveTenant { tenant in
                // A tenant on the server's application (no client id of its own) needs consent again.
                tenant.connectionState =
                    state == .consentRevoked && tenant.usesServerApplication ? .consentRequired : state
                tenant.connectionErrorCode = error.directoryCode
            }
        }
    }

    /// Saves the final job record. A store that fails here leaves the job active in the database;
    /// the next start-up marks it INTERRUPTED, which is the truth as far as the store can tell.
    private func save() async {
        let (store, job) = (store, reporter.job)
        await Self.uncancelled { try? await store.updateJob(job) }
    }

    /// Runs `body` in a task of its own, which a cancel of the job does not reach: the store
    /// refuses work from a cancelled task (its thread pool drops it), and a job's final
    /// bookkeeping must happen whatever the reason it ends.
    static func uncancelled(_ body: @escaping @Sendable () async -> Void) async {
        await Task { await body() }.value
    }

    /// Re-reads the tenant and saves `change` to it, so options changed during the run are kept.
    func saveTenant(_ change: (inout TenantRecord) -> Void) async throws {
        guard var tenant = try await store.tenant(id: reporter.job.tenantID) else {
            throw SyncError(.tenantNotFound, "tenant \(reporter.job.tenantID) was deleted during the sync")
        }
        change(&tenant)
        try await store.updateTenant(tenant)
    }
}
