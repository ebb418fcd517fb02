package import CoreMetrics
internal import Foundation
package import Logging
package import RosterDirectory
package import RosterStore

/// Starts, tracks and cancels sync jobs: at most one active job per tenant, each run in a
/// background task, every state persisted through the ``Store`` and published to ``progress``.
///
/// Call ``recoverInterruptedJobs()`` once at start-up, before the first ``start(_:)``.
package actor JobManager {
    /// Makes the directory a tenant's job reads, given the callback that reports throttling waits
    /// (pass it to ``GraphDirectory/Configuration/onThrottle``).
    package typealias DirectoryFactory =
        @Sendable (TenantRecord, _ onThrottle: @escaping @Sendable (GraphDirectory.ThrottleWait) -> Void) async throws
        -> any DirectorySource

    /// What the manager needs besides the store.
    package struct Configuration: Sendable {
        /// The directory of each tenant.
        package var directories: DirectoryFactory
        /// The clock, in Unix milliseconds. Default: the system clock.
        package var now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970 * 1_000) }
        /// New job ids. Default: random UUIDs.
        package var makeJobID: @Sendable () -> String = { UUID().uuidString.lowercased() }
        /// Examples per action in a dry run's plan. Default 20.
        package var planSampleLimit = 20
        /// What one run may take from a directory.
        package var limits = SyncLimits()
        /// Jobs running at once over all tenants; the rest wait QUEUED, in order. Default 16.
        package var maxRunningJobs = 16
        /// Told when a run departs from what was asked, with the job and why (the note is also
        /// in the job record and the progress): a delta run that became a full one. The server
        /// logs it. Default: nothing.
        package var onNote: @Sendable (SyncJobRecord, String) -> Void = { _, _ in }
        /// Where the manager logs (``SyncLogKey``): each job's start and end at info (a failed
        /// end at warning), a change of course at notice. Default: nowhere.
        package var logger = Logger(label: "roster.sync", factory: { _ in SwiftLogNoOpLogHandler() })
        /// Told with the tenant's id after a job's apply added, updated or removed contacts (the
        /// server rebuilds the tenant's search index ahead of the next search). Default: nothing.
        package var onContactsChanged: @Sendable (String) -> Void = { _ in }
        /// Where `roster_sync_jobs_total{outcome}` and `roster_sync_job_duration_seconds{outcome}`
        /// go, the outcome being the job's final state in lower case. Default: nowhere.
        package var metrics: any MetricsFactory = NOOPMetricsHandler.instance
        /// Whether the job metrics carry a `tenant` label (the tenant's id). Default false: the
        /// operator turns it on knowing each tenant adds series.
        package var metricsTenantLabels = false
        /// The other replicas sharing the store, when it is shared (PostgreSQL): jobs are leased,
        /// progress is announced to them, and a cancel or a watch reaches a job wherever it runs
        /// (JobManager+Replicas.swift). Nil (the default) for a store one process owns.
        package var replicas: (any ReplicaCoordination)?

        /// A configuration reading each tenant's directory from `directories`.
        package init(directories: @escaping DirectoryFactory) {
            self.directories = directories
        }
    }

    /// What ``start(_:)`` returns.
    package struct Started: Sendable, Hashable {
        /// The new job, or the tenant's job already active.
        package var job: SyncJobRecord
        /// True when `job` was already active and nothing new was started.
        package var alreadyRunning: Bool
    }

    /// Every job's newest progress.
    package nonisolated let progress: ProgressHub
    /// Jobs of other replicas this one's hub follows for its watchers (JobManager+Replicas.swift).
    nonisolated let followed = RemoteJobs()
    let store: any Store
    let configuration: Configuration
    /// Active jobs by tenant.
    var active: [String: Active] = [:]
    /// Set by ``shutdown(gracePeriod:)``: no more jobs start.
    /// The server-wide line of jobs waiting to run.
    package let slots: JobSlots
    package internal(set) var isShuttingDown = false

    /// One active job; `task` and `reporter` are nil while the job record is being created.
    struct Active {
        var job: SyncJobRecord
        var task: Task<Void, Never>?
        var reporter: SyncRun.Reporter?
        /// A cancel arrived, possibly before `task` existed.
        var cancelRequested = false
    }

    /// A manager over `store`, publishing to `progress`.
    package init(store: any Store, configuration: Configuration, progress: ProgressHub = ProgressHub()) {
        self.store = store
        self.configuration = configuration
        self.progress = progress
        self.slots = JobSlots(limit: configuration.maxRunningJobs)
    }

    // MARK: - Starting and cancelling

    /// Starts a job for `request` and returns at once; the job runs in the background. When the
    /// tenant already has an active job, returns that job flagged `alreadyRunning` instead.
    /// An all-users job is a delta when the tenant's last applied run was a full all-users one
    /// (its delta link is stored); otherwise it is full.
    package func start(_ request: SyncRequest) async throws(SyncError) -> Started {
        if let running = active[request.tenantID] { return Started(job: running.job, alreadyRunning: true) }
        guard !isShuttingDown else {
            throw SyncError(.shuttingDown, "the server is shutting down; start the sync again once it is back")
        }
        let tenant: TenantRecord?
        do throws(StoreError) {
            tenant = try await store.tenant(id: request.tenantID)
        } catch {
            throw SyncError(error)
        }
        guard let tenant else {
            throw SyncError(.tenantNotFound, "tenant \(request.tenantID) does not exist; create it first")
        }
        // The await above let other calls in: look again, then claim the tenant before awaiting.
        if let running = active[request.tenantID] { return Started(job: running.job, alreadyRunning: true) }
        let delta =
            !request.forceFull && request.scope == .allUsers && tenant.scope == .allUsers && tenant.deltaLink != nil
        let job = SyncJobRecord(
            id: configuration.makeJobID(),
            tenantID: tenant.id,
            scope: request.scope,
            mode: delta ? .delta : .full,
            createdAt: configuration.now(),
            startedBy: request.startedBy,
            trigger: request.trigger,
            dryRun: request.dryRun,
            acknowledgedRemovals: request.acknowledgeRemovals
        )
        active[tenant.id] = Active(job: job)
        do throws(StoreError) {
            try await store.createJob(job)
        } catch {
            active[tenant.id] = nil
            // Another process (or a job this manager does not know) holds the tenant.
            if error.code == .conflict, let other = try? await store.activeJob(tenant: tenant.id) {
                return Started(job: other, alreadyRunning: true)
            }
            throw SyncError(error)
        }
        if isShuttingDown {
            // The shutdown began while the record was being written: the job never runs.
            var interrupted = job
            interrupted.state = .interrupted
            interrupted.finishedAt = configuration.now()
            interrupted.errorCode = SyncError.Code.interrupted.description
            interrupted.errorMessage = "the server stopped before the sync began; start it again"
            try? await store.updateJob(interrupted)
            active[tenant.id] = nil
            throw SyncError(.shuttingDown, "the server is shutting down; start the sync again once it is back")
        }
        let reporter = SyncRun.Reporter(job: job, hub: progress, now: configuration.now)
        progress.publish(reporter.progress)
        let run = SyncRun(
            store: store,
            directories: configuration.directories,
            reporter: reporter,
            now: configuration.now,
            sampleLimit: configuration.planSampleLimit,
            limits: configuration.limits,
            slots: slots,
            onNote: { [logger = configuration.logger, onNote = configuration.onNote] job, note in
                logger.notice(
                    "sync job changed course",
                    metadata: Self.metadata(job).merging([SyncLogKey.note.rawValue: "\(note)"]) { $1 }
                )
                onNote(job, note)
            },
            logger: configuration.logger
        )
        configuration.logger.info(
            "sync job started",
            metadata: Self.metadata(job).merging([SyncLogKey.mode.rawValue: "\(reporter.progress.mode)"]) { $1 }
        )
        let task = Task { await self.finished(run.execute()) }
        announceProgress(of: job)
        // A cancel that came while the record was being written applies now.
        if active[tenant.id]?.cancelRequested == true { task.cancel() }
        active[tenant.id] = Active(job: job, task: task, reporter: reporter)
        return Started(job: job, alreadyRunning: false)
    }

    /// Cancels the tenant's active job; nothing of it is applied unless its apply step has already
    /// begun (then it completes). With replicas, a job another replica runs is asked to stop there.
    /// Returns the job, or nil when none is active.
    @discardableResult
    package func cancel(tenant: String) async throws(SyncError) -> SyncJobRecord? {
        if let running = active[tenant] {
            active[tenant]?.cancelRequested = true
            running.task?.cancel()
            return running.job
        }
        guard let replicas = configuration.replicas else { return nil }
        do throws(StoreError) {
            return try await replicas.requestCancel(tenant: tenant)
        } catch {
            throw SyncError(error)
        }
    }

    /// Waits until the tenant's active job here (if any) has reached its final state and been saved.
    package func waitForActiveJob(tenant: String) async {
        await active[tenant]?.task?.value
    }

    /// Waits until the job has reached its final state and been saved, wherever it runs.
    package func waitUntilEnded(job id: String) async {
        if let local = active.values.first(where: { $0.job.id == id }) {
            await local.task?.value
            return
        }
        guard let updates = try? await watch(job: id) else { return }
        for await value in updates where value.isFinal { return }
    }

    /// The job's progress: the hub's newest value, or (for a job finished before this process
    /// started, or forgotten by the hub) its final state rebuilt from the store, or (for a job
    /// another replica runs) its state from the store followed by what that replica announces.
    /// Nil for an unknown job, and for a job the store holds as active that no replica runs.
    package func watch(job id: String) async throws(SyncError) -> ProgressHub.Updates? {
        if let updates = progress.watch(job: id) { return updates }
        let job: SyncJobRecord?
        do throws(StoreError) {
            job = try await store.job(id: id)
        } catch {
            throw SyncError(error)
        }
        guard let job else { return nil }
        if job.state.isActive {
            // Another replica's job; without replicas, a job the store holds that nobody runs.
            guard configuration.replicas != nil else { return nil }
            follow(job)
            return progress.watch(job: id)
        }
        progress.publish(SyncProgress(job: job))
        return progress.watch(job: id)
    }

    // MARK: - Start-up

    /// Marks every job the store holds as queued or running INTERRUPTED (the server stopped during
    /// them) and deletes all staging left behind; with replicas, only the jobs whose lease has run
    /// out and the staging no replica holds. Call once at start-up, before starting jobs. Returns
    /// the ids of the interrupted jobs.
    @discardableResult
    package func recoverInterruptedJobs() async throws(SyncError) -> [String] {
        do throws(StoreError) {
            let interrupted = try await store.interruptActiveJobs(now: configuration.now())
            _ = try await store.cleanStaging(except: Set(active.values.map(\.job.id)))
            return interrupted
        } catch {
            throw SyncError(error)
        }
    }

    // MARK: - Private

    /// Takes a finished job off the books, then publishes its final value, so that a watcher who
    /// sees the final value can start the tenant's next job at once.
    private func finished(_ final: SyncProgress) {
        if active[final.tenantID]?.job.id == final.jobID { active[final.tenantID] = nil }
        progress.publish(final)
        var metadata: Logger.Metadata = [
            SyncLogKey.tenant.rawValue: "\(final.tenantID)", SyncLogKey.job.rawValue: "\(final.jobID)",
            SyncLogKey.state.rawValue: "\(final.state)",
            SyncLogKey.counts.rawValue:
                "added \(final.added), updated \(final.updated), removed \(final.removed), unchanged \(final.unchanged)",
        ]
        if let error = final.error { metadata[SyncLogKey.error.rawValue] = "\(error)" }
        configuration.logger.log(level: final.state == .failed ? .warning : .info, "sync job ended", metadata: metadata)
        countJob(final)
        if final.state == .succeeded, final.added + final.updated + final.removed > 0 {
            configuration.onContactsChanged(final.tenantID)
        }
    }

    /// Counts a finished job by outcome, and how long it ran.
    private func countJob(_ final: SyncProgress) {
        var dimensions = [("outcome", final.state.rawValue.lowercased())]
        if configuration.metricsTenantLabels { dimensions.append(("tenant", final.tenantID)) }
        let factory = configuration.metrics
        Counter(label: "roster_sync_jobs_total", dimensions: dimensions, factory: factory).increment()
        if let started = final.startedAt, let finished = final.finishedAt, finished >= started {
            Timer(label: Self.jobDurationLabel, dimensions: dimensions, factory: factory)
                .recordMilliseconds(finished - started)
        }
    }

    /// The name of the job-duration histogram, for a factory that sets its buckets.
    package static let jobDurationLabel = "roster_sync_job_duration_seconds"

    /// A job's tenant and id, as log metadata.
    static func metadata(_ job: SyncJobRecord) -> Logger.Metadata {
        [SyncLogKey.tenant.rawValue: "\(job.tenantID)", SyncLogKey.job.rawValue: "\(job.id)"]
    }
}
