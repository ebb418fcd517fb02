import Logging
import RosterDirectory
import RosterStore
import Synchronization

/// One sync job from start to final state: authenticate, fetch into staging page by page, plan,
/// check the removal rules, then apply in ONE store transaction.
///
/// - **All users, full**: a delta link for now first (`latestDeltaLink()`), then the user listing
///   in large pages with the count asked up front; without that shortcut (a file), the delta query
///   from the start. The staged member accounts replace the tenant's contacts.
/// - **All users, delta**: the changes since the tenant's stored delta link; changed users now out
///   of scope and `@removed` users are staged as removals. When the directory says the link can no
///   longer be used, the staging is dropped and the run goes on as a full run by itself.
/// - **Group**: the group must be a mail-enabled security group; its transitive user members (same
///   account rules) replace the tenant's contacts, so everyone outside is removed. A group run
///   clears the delta link before it applies, so the next all-users run is a full one.
///
/// Nothing is applied when the run fails, is cancelled, or is a dry run; its staging is dropped.
/// A cancel is honoured up to the start of the apply step; an apply that has begun completes.
///
/// **Photos** (when the tenant syncs them) are refreshed after the apply has committed, each in a
/// transaction of its own (``PhotoRefresh``): the contacts stay one all-or-nothing apply, and a
/// photo is always whole, old or new. A photo that fails is counted and the job still succeeds;
/// the photos of removed contacts went with them inside the apply (the foreign key cascades).
struct SyncRun: Sendable {
    let store: any Store
    let directories: JobManager.DirectoryFactory
    let reporter: Reporter
    let now: @Sendable () -> Int64
    let sampleLimit: Int
    let limits: SyncLimits
    let slots: JobSlots
    /// Told when the run departs from what was asked (``JobManager/Configuration/onNote``).
    let onNote: @Sendable (SyncJobRecord, String) -> Void
    /// Where photo failures are logged (``JobManager/Configuration/logger``).
    let logger: Logger

    /// What fetching left in staging, and how to apply it.
    struct Staged {
        var kind: ApplyKind
        var deltaLink: String?
        /// A first sync whose contacts were written as they came, waiting for its commit (then
        /// nothing was staged).
        var streamed: (any StreamedApply)?
    }

    /// Runs the job to its final state, saves that state, and returns its final progress (which the
    /// job manager publishes).
    func execute() async -> SyncProgress {
        do {
            try await run()
        } catch {
            let failure = syncError(error)
            if let error = error as? DirectoryError { await recordConnectionFailure(error) }
            await finish(failure: failure)
        }
        return reporter.progress
    }

    // MARK: - The run

    private func run() async throws {
        // Wait for one of the server's job slots, in line with other tenants' jobs.
        let reporter = self.reporter
        let limit = slots.limit
        try await slots.acquire { place in
            reporter.update { _, extras in
                extras.message =
                    "queued: \(SyncProgress.ordinal(place)) in line (\(limit) syncs run at once on this server)"
            }
        }
        defer { slots.release() }
        guard let tenant = try await store.tenant(id: reporter.job.tenantID) else {
            throw SyncError(.tenantNotFound, "tenant \(reporter.job.tenantID) does not exist; create it first")
        }
        reporter.update { job, extras in
            job.state = .running
            job.startedAt = now()
            job.phase = .authenticating
            extras.message = "authenticating with the directory"
        }
        try await store.updateJob(reporter.job)
        let directory = try await directories(tenant, { [reporter] wait in reporter.throttled(wait) })
        try await directory.verifyPermissions()

        let staged: Staged
        do {
            switch reporter.job.scope {
            case .group(let id, _): staged = try await stageGroup(id: id, directory: directory, tenant: tenant)
            case .allUsers: staged = try await stageAllUsers(directory: directory, tenant: tenant)
            }
        } catch let denied as DirectoryError where denied.code == .consentMissing {
            // One denied request does not prove the consent is gone: the permission check decides
            // whether the tenant becomes CONSENT_REVOKED.
            do {
                try await directory.verifyPermissions()
            } catch  where error.code == .consentMissing {
                throw error
            } catch {}
            throw SyncError(
                .directoryError,
                "the directory denied a request (\(denied)), but the application's permissions check passed, so the "
                    + "connection stays AUTHORIZED; try again, and if it persists check the directory's access policies"
            )
        }
        do {
            try await apply(staged, tenant: tenant, directory: directory)
        } catch {
            await staged.streamed?.discard()
            throw error
        }
    }

    /// The apply step, then photos and the job's end.
    private func apply(_ staged: Staged, tenant: TenantRecord, directory: any DirectorySource) async throws {
        let jobID = reporter.job.id
        try checkCancelled()

        if reporter.job.dryRun {
            let plan = try await store.plan(job: jobID, tenant: tenant.id, kind: staged.kind, sampleLimit: sampleLimit)
            return try await finishDryRun(plan: plan, tenant: tenant)
        }

        // A real run is not planned first: the apply checks the removal rules inside its one
        // transaction and rolls back when one is broken (a separate plan read everything twice).
        reporter.update { job, extras in
            job.phase = .applying
            extras.message = "applying the changes"
        }
        try await store.updateJob(reporter.job)
        try checkCancelled()
        if case .group = reporter.job.scope { try await saveTenant { $0.deltaLink = nil } }
        let counts: ApplyCounts
        let outcome: ApplyOutcome =
            if let streamed = staged.streamed {
                // Nothing to remove: no limit can refuse it.
                .applied(try await streamed.commit(deltaLink: staged.deltaLink))
            } else {
                try await store.apply(
                    job: jobID,
                    tenant: tenant.id,
                    kind: staged.kind,
                    now: now(),
                    deltaLink: staged.deltaLink,
                    limits: RemovalRules.limits(job: reporter.job, tenant: tenant)
                )
            }
        switch outcome {
        case .applied(let applied):
            counts = applied
        case .refused(let refused):
            // Nothing was written; a group run gives back the delta link it cleared.
            if case .group = reporter.job.scope { try await saveTenant { $0.deltaLink = tenant.deltaLink } }
            try RemovalRules.check(refused, job: reporter.job, tenant: tenant)
            throw SyncError(
                .removalsNeedAcknowledgement,
                "the apply was refused; start the sync again acknowledging removals"
            )
        }
        let scope = reporter.job.scope
        // The contacts are committed: the job succeeded whatever happens next, even a cancel
        // arriving now. Should saving the scope fail, the next run of this group only asks again for
        // an acknowledgement it needs when it removes someone, and an all-users run is full while
        // no delta link is stored.
        let photos = tenant.syncPhotos ? await refreshPhotos(directory: directory, tenant: tenant.id) : nil
        await Self.uncancelled { [self] in
            try? await saveTenant { $0.scope = scope }
            await finish(counts: counts, photos: photos)
        }
    }

    /// Photos of every contact the tenant now has (``PhotoRefresh``). Never throws: the contacts
    /// are committed, and a photo problem must not fail the job.
    private func refreshPhotos(directory: any DirectorySource, tenant: String) async -> PhotoRefresh.Counts {
        reporter.update { _, extras in
            extras.throttleWaitMilliseconds = nil
            extras.message = "fetching photos"
        }
        var ids: [String] = []
        let stored: [String: String]
        do {
            var after: String?
            while true {
                let page = try await store.contacts(tenant: tenant, after: after, limit: 1_000)
                ids += page.map(\.id)
                guard page.count == 1_000, let last = page.last else { break }
                after = last.id
            }
            stored = try await store.photoETags(tenant: tenant)
        } catch {
            var counts = PhotoRefresh.Counts()
            counts.notStarted = "reading the tenant's contacts and photo etags failed: \(error)"
            return counts
        }
        let (store, reporter, logger, job) = (store, reporter, logger, reporter.job)
        let total = ids.count
        let logged = Mutex(0)
        let refresh = PhotoRefresh(
            maxInFlight: limits.photoRequestsInFlight,
            maxConsecutiveFailures: limits.maxConsecutivePhotoFailures,
            fetch: { id, known throws(DirectoryError) in try await directory.photo(userID: id, knownETag: known) },
            save: { photo, id throws(StoreError) in try await store.setPhoto(photo, tenant: tenant, contactID: id) },
            now: now,
            onFailure: { id, error in
                // The first ten in full; the count and the first one end up in the job's note.
                guard
                    logged.withLock({
                        $0 += 1; return $0
                    }) <= 10
                else { return }
                logger.warning(
                    "a contact's photo was not synced",
                    metadata: JobManager.metadata(job).merging(
                        [SyncLogKey.contact.rawValue: "\(id)", SyncLogKey.error.rawValue: "\(error)"]
                    ) { $1 }
                )
            },
            onProgress: { counts in
                reporter.update { _, extras in
                    extras.throttleWaitMilliseconds = nil
                    extras.message =
                        "fetching photos: \(SyncProgress.grouped(counts.tally.checked)) of \(SyncProgress.grouped(total)) "
                        + "checked, \(SyncProgress.grouped(counts.tally.written)) new or changed"
                }
            }
        )
        return await refresh.run(contactIDs: ids, stored: stored)
    }

    func checkCancelled() throws(SyncError) {
        if Task.isCancelled { throw stopped }
    }

    /// Why a cancelled run stopped: a cancel, or the server shutting down.
    private var stopped: SyncError {
        reporter.isInterrupted
            ? SyncError(.interrupted, "the server stopped during the sync; nothing was changed; start it again")
            : SyncError(.cancelled, "the sync was cancelled; nothing was changed")
    }

    private func syncError(_ error: any Error) -> SyncError {
        if Task.isCancelled { return stopped }
        switch error {
        case let error as SyncError: return error
        case let error as StoreError: return SyncError(error)
        case let error as DirectoryError: return SyncError(error)
        default: return SyncError(.directoryError, "the sync failed: \(error)")
        }
    }
}
