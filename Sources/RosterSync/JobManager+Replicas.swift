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
    /// (Group news is the group cache's.)
    package func handle(_ event: ReplicaEvent) async {
        switch event {
        case .progress(let job, let payload):
            relay(job: job, payload: payload)
        case .cancel(let job, _):
            cancelLocal(job: job)
        case .resynchronize:
            await replicaTurn()
        case .groupsReplaced:
            break
        }
    }

    /// Publishes another replica's progress value when this hub follows the job.
    nonisolated func relay(job: String, payload: String) {
        guard followed.contains(job), let value = SyncProgress(relayPayload: payload), value.jobID == job else {
            return
        }
        progress.publish(value)
    }

    /// Starts following another replica's active job: the hub holds its stored state until that
    /// replica's announcements (or, when it ends unannounced, the store) bring newer ones.
    func follow(_ job: SyncJobRecord) {
        followed.insert(job.id)
        var value = SyncProgress(job: job)
        value.message = "\(job.state.rawValue) on another server"
        // A value announced meanwhile is newer: keep it.
        if progress.latest(job: job.id) == nil { progress.publish(value) }
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

/// The ids of the jobs another replica runs that this replica's hub follows.
final class RemoteJobs: Sendable {
    private let state = Mutex<Set<String>>([])

    var ids: [String] { state.withLock { Array($0) } }
    func contains(_ id: String) -> Bool { state.withLock { $0.contains(id) } }
    func insert(_ id: String) { _ = state.withLock { $0.insert(id) } }
    func remove(_ id: String) { _ = state.withLock { $0.remove(id) } }
}
