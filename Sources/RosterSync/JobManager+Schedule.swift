import RosterStore

// Automatic sync: each tenant with a sync interval re-runs its saved scope when due.
extension JobManager {
    /// Starts the scheduled syncs due at `now` (Unix ms) and returns them.
    ///
    /// A tenant takes part when its `syncIntervalMinutes` is above 0 and its connection is
    /// AUTHORIZED. With no `nextSyncAt` yet, it gets one an interval from `now` and nothing runs.
    /// When `nextSyncAt` has come, its saved scope is started as a `scheduled` job under the same
    /// rules as any other (no acknowledgement: a run that would remove too many stops and says so
    /// in the job history), and `nextSyncAt` moves an interval past `now`, before the job starts
    /// so the job's own tenant writes come after it. A tenant with a job running (on any replica)
    /// is left alone; a due sync then starts at the first check after that job ends. Replicas
    /// checking at once start each due sync once: the move of `nextSyncAt` is a compare-and-set.
    package func startDueSyncs(now: Int64) async throws(SyncError) -> [Started] {
        let tenants: [TenantRecord]
        do throws(StoreError) {
            tenants = try await store.tenants()
        } catch {
            throw SyncError(error)
        }
        var started: [Started] = []
        for listed in tenants where listed.syncIntervalMinutes > 0 && listed.connectionState == .authorized {
            // A running job writes the tenant when it ends; leave the tenant alone until then.
            guard active[listed.id] == nil else { continue }
            guard let tenant = try await freshTenant(listed.id) else { continue }
            let due = tenant.nextSyncAt.map { $0 <= now } ?? false
            guard due || tenant.nextSyncAt == nil else { continue }
            do throws(StoreError) {
                // Another replica's job: the same, until it ends.
                if configuration.replicas != nil, try await store.activeJob(tenant: tenant.id) != nil { continue }
                // Of the replicas that saw this sync due, one moves it on and runs it.
                let next = now + Int64(tenant.syncIntervalMinutes) * 60_000
                guard try await store.claimScheduledSync(tenant: tenant.id, due: tenant.nextSyncAt, next: next) else {
                    continue
                }
            } catch {
                throw SyncError(error)
            }
            guard due else { continue }
            let job = try await start(SyncRequest(tenantID: tenant.id, scope: tenant.scope, trigger: .scheduled))
            if !job.alreadyRunning { started.append(job) }
        }
        return started
    }

    private func freshTenant(_ id: String) async throws(SyncError) -> TenantRecord? {
        do throws(StoreError) {
            return try await store.tenant(id: id)
        } catch {
            throw SyncError(error)
        }
    }

    /// Checks the schedules every `interval` (default one minute) until the calling task is
    /// cancelled. A failed check (the store unavailable) is retried at the next turn.
    package func runScheduler(checkEvery interval: Duration = .seconds(60)) async {
        while !Task.isCancelled {
            _ = try? await startDueSyncs(now: configuration.now())
            try? await Task.sleep(for: interval)
        }
    }
}
