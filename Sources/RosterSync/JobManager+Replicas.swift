internal import Logging
package import RosterStore
import Synchronization

// Several replicas on one store (``Configuration/replicas``): each announces the progress of the
// jobs it runs, follows other replicas' jobs for its own watchers, renews its leases, obeys cancels
// made elsewhere, and interrupts the jobs of replicas that died. News comes through ``handle(_:)``;
// the safety net for news that never came is ``replicaTurn()``, run every fifth of a lease.
extension JobManager {
    /// Runs ``replicaTurn()`` every `interval` until the calling task is cancelled. Without
    /// replicas, returns at once.
    package func runReplicaDuties(every interval: Duration) async {
        guard configuration.replicas != nil else { return }
        while !Task.isCancelled {
            await replicaTurn()
            try? await Task.sleep(for: interval)
        }
    }

    /// One round of the duties: renews this replica's leases and cancels the jobs other replicas
    /// asked to stop; interrupts jobs whose lease ran out; gives each followed job that has ended
    /// (announced or not) its final value. A failed step (store unavailable) waits for the next round.
    package func replicaTurn() async {
        guard let replicas = configuration.replicas else { return }
        if let cancelled = try? await replicas.renewLeases() {
            for id in cancelled { cancelLocal(job: id) }
        }
        if let interrupted = try? await store.interruptActiveJobs(now: configuration.now()), !interrupted.isEmpty {
            configuration.logger.warning(
                "sync jobs interrupted: the replica running them stopped renewing their lease",
                metadata: [SyncLogKey.job.rawValue: "\(interrupted.joined(separator: ", "))"]
            )
        }
        for id in followed.ids {
            guard progress.latest(job: id)?.isFinal == false else {
                followed.remove(id)
                continue
            }
            guard let job = try? await store.job(id: id), !job.state.isActive else { continue }
            progress.publish(SyncProgress(job: job))
            followed.remove(id)
        }
    }

    /// Acts on news from the replicas: another replica's progress reaches this hub's watchers of
    /// that job; a cancel stops the job if it runs here; a lost connection runs a ``replicaTurn()``.
    /// (Group and change-feed news are the service's.)
    package func handle(_ event: ReplicaEvent) async {
        switch event {
        case .progress(let job, let payload):
            relay(job: job, payload: payload)
        case .cancel(let job, _):
            cancelLocal(job: job)
        case .resynchronize:
            await replicaTurn()
        case .groupsReplaced, .contactsChanged:
            break
        }
    }

    /// Publishes another replica's progress value when this hub follows the job, and keeps it as
    /// the job's newest announcement either way (a watcher that comes later starts from it).
    nonisolated func relay(job: String, payload: String) {
        guard !isLocal(job), let value = SyncProgress(relayPayload: payload), value.jobID == job else { return }
        if followed.announced(value) { progress.publish(value) }
    }

    /// Starts following another replica's active job: the hub starts from its newest announcement,
    /// or else its stored state, until that replica's announcements (or, when it ends unannounced,
    /// the store) bring newer ones.
    func follow(_ job: SyncJobRecord) {
        var value = followed.follow(job.id) ?? SyncProgress(job: job)
        if value.message == job.state.rawValue { value.message = "\(job.state.rawValue) on another server" }
        // A value announced meanwhile is newer: keep it.
        if progress.latest(job: job.id) == nil { progress.publish(value) }
    }

    /// Whether this replica runs `job` (its own announcements come back to it too).
    private nonisolated func isLocal(_ job: String) -> Bool {
        progress.latest(job: job) != nil && !followed.contains(job)
    }

    /// Announces the job's values to the other replicas as this hub paces them, until its final one.
    func announceProgress(of job: SyncJobRecord) {
        guard let replicas = configuration.replicas, let updates = progress.watch(job: job.id) else { return }
        let logger = configuration.logger
        Task {
            for await value in updates {
                let payload = value.relayPayload(limit: ReplicaEvent.maximumProgressPayload)
                do throws(StoreError) {
                    try await replicas.announceProgress(job: job.id, payload: payload)
                } catch {
                    // Watchers elsewhere then see the store's state at the next replica turn.
                    logger.debug("cannot announce progress", metadata: Self.metadata(job))
                }
            }
        }
    }

    /// Cancels the job if this replica runs it.
    private func cancelLocal(job id: String) {
        guard let running = active.first(where: { $0.value.job.id == id }) else { return }
        active[running.key]?.cancelRequested = true
        running.value.task?.cancel()
    }
}

/// The jobs of other replicas this replica's hub follows, and the newest announcement of the
/// last ``limit`` jobs it heard of (followed or not).
final class RemoteJobs: Sendable {
    private struct State {
        var followed: Set<String> = []
        var announced: [String: SyncProgress] = [:]
        /// Announced jobs, oldest first, for forgetting past the limit.
        var order: [String] = []
    }
    /// How many jobs' newest announcements are kept.
    let limit = 1_000
    private let state = Mutex(State())

    var ids: [String] { state.withLock { Array($0.followed) } }
    func contains(_ id: String) -> Bool { state.withLock { $0.followed.contains(id) } }
    func remove(_ id: String) { _ = state.withLock { $0.followed.remove(id) } }

    /// Follows `id`; returns its newest announcement, if one was heard.
    func follow(_ id: String) -> SyncProgress? {
        state.withLock { state in
            state.followed.insert(id)
            return state.announced[id]
        }
    }

    /// Keeps `value` as its job's newest announcement; true when the job is followed.
    func announced(_ value: SyncProgress) -> Bool {
        state.withLock { state in
            if state.announced.updateValue(value, forKey: value.jobID) == nil {
                state.order.append(value.jobID)
                if state.order.count > limit { state.announced[state.order.removeFirst()] = nil }
            }
            return state.followed.contains(value.jobID)
        }
    }
}
