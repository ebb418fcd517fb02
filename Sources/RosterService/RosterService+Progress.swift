import RosterRPC
import RosterStore
import RosterSync
import RosterWire

// WatchProgress: the job's state now, then paced updates, then the final message.
extension RosterService {
    func watchProgress(
        _ request: WatchProgressRequest,
        writer: RPCResponseWriter<ProgressUpdate>,
        caller: Caller
    ) async throws {
        let updates: ProgressHub.Updates?
        if !request.jobID.isEmpty, let live = jobs.progress.latest(job: request.jobID) {
            // A job this process knows: no store read, no hop to the job manager.
            guard live.tenantID == caller.tenantID else {
                throw Self.unknownJob(request.jobID)
            }
            updates = jobs.progress.watch(job: request.jobID)
        } else {
            let job = try await watchedJob(request.jobID, caller: caller)
            do {
                updates = try await jobs.watch(job: job.id)
            } catch {
                throw RPCError(error)
            }
        }
        guard let updates else {
            throw RPCError(
                .unavailable,
                "the job is run by another rosterd process; watch it there, or wait until it ends"
            )
        }
        // The hub paces the values (one per ~100 ms within a phase, stretched for many watchers;
        // phase changes and the end at once) and keeps each watcher only the newest of each phase.
        for await value in updates {
            try await writer.write(ProgressUpdate(value, now: configuration.now()))
            if value.isFinal { return }
        }
    }

    /// The job a WatchProgress asks for: by id, or the tenant's active job, or else its last one.
    private func watchedJob(_ id: String, caller: Caller) async throws(RPCError) -> SyncJobRecord {
        if !id.isEmpty { return try await job(id, caller: caller) }
        let tenant = caller.tenantID
        if let active = try await storeCall({ () async throws(StoreError) in try await store.activeJob(tenant: tenant) }
        ) {
            return active
        }
        guard
            let last = try await storeCall({ () async throws(StoreError) in
                try await store.jobs(tenant: tenant, limit: 1)
            }).first
        else {
            throw RPCError(.notFound, "this tenant has no sync job yet; start one with StartSync")
        }
        return last
    }
}
