import RosterRPC
import RosterStore
import RosterSync
import RosterWire

// WatchProgress: the job's state now, then paced updates, then the final message.
extension RosterService {
    func watchProgress(
        _ request: WatchProgressRequest, writer: RPCResponseWriter<ProgressUpdate>, caller: Caller
    ) async throws {
        let job = try await watchedJob(request.jobID, caller: caller)
        let updates: ProgressHub.Updates?
        do {
            updates = try await jobs.watch(job: job.id)
        } catch {
            throw RPCError(error)
        }
        guard let updates else {
            throw RPCError(
                .unavailable, "job \(job.id) is run by another rosterd process; watch it there, or wait until it ends")
        }
        let clock = ContinuousClock()
        var iterator = updates.makeAsyncIterator()
        var lastSent: (at: ContinuousClock.Instant, phase: JobPhase?, state: RosterStore.JobState)?
        while var value = await iterator.next() {
            // Pace updates within a phase; a phase or state change, and the final value, go at once
            // (the hub keeps the newest value of each phase, so no phase is skipped).
            if let sent = lastSent, !value.isFinal, value.phase == sent.phase, value.state == sent.state {
                let due = sent.at.advanced(by: pacing(watchers: jobs.progress.watcherCount(job: job.id)))
                if due > clock.now {
                    // Until the interval is up, or at once when the phase changes or the job ends.
                    let (hub, id, phase, state) = (jobs.progress, job.id, value.phase, value.state)
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { try? await Task.sleep(until: due, clock: clock) }
                        group.addTask { await hub.waitForChange(job: id, from: phase, state: state) }
                        await group.next()
                        group.cancelAll()
                    }
                    try Task.checkCancellation()
                }
                if let newer = iterator.poll() {
                    if newer.phase == value.phase, newer.state == value.state {
                        value = newer
                    } else {
                        // The phase changed meanwhile: send the last of this phase, then the new one.
                        try await writer.write(ProgressUpdate(value, now: configuration.now()))
                        value = newer
                    }
                }
            }
            try await writer.write(ProgressUpdate(value, now: configuration.now()))
            lastSent = (clock.now, value.phase, value.state)
            if value.isFinal { return }
        }
    }

    /// The least time between two updates of one stream within a phase: the configured interval
    /// (~100 ms), stretched in proportion when a job has more than 500 watchers (10,000 watchers:
    /// every 2 s), so that however many watch, sending progress never takes the job's CPU.
    func pacing(watchers: Int) -> Duration {
        configuration.progressInterval * max(1, Double(watchers) / 500)
    }

    /// The job a WatchProgress asks for: by id, or the tenant's active job, or else its last one.
    private func watchedJob(_ id: String, caller: Caller) async throws(RPCError) -> SyncJobRecord {
        if !id.isEmpty { return try await job(id, caller: caller) }
        let tenant = caller.tenantID
        if let active = try await storeCall({ () async throws(StoreError) in try await store.activeJob(tenant: tenant) }) {
            return active
        }
        guard let last = try await storeCall({ () async throws(StoreError) in try await store.jobs(tenant: tenant, limit: 1) }).first else {
            throw RPCError(.notFound, "this tenant has no sync job yet; start one with StartSync")
        }
        return last
    }
}
