import Logging
import RosterDirectory
import RosterRPC
import RosterStore
import RosterSync
import RosterWire

// StartSync and CancelSync.
extension RosterService {
    func startSync(_ request: StartSyncRequest, caller: Caller) async throws(RPCError) -> StartSyncResponse {
        try caller.require([.admin, .editor], to: "start a sync")
        var scope = try Self.scope(request.scope)
        if case .group = scope, caller.role != .admin {
            throw RPCError(.permissionDenied, "editors cannot synchronize users within a group; ask an admin")
        }
        let tenant = try await tenant(of: caller)
        if caller.role != .admin, case .group(_, let name) = tenant.scope {
            // An editor's all-users sync would widen a group-scoped tenant and change its saved
            // and scheduled scope: the admin's choice (docs/product.md, "Roles").
            throw RPCError(
                .permissionDenied,
                "editors cannot synchronize users within a group; ask an admin: this tenant keeps only the group \"\(name)\", "
                    + "and only an admin can run its sync or change its scope to all users"
            )
        }
        guard tenant.connectionState == .authorized else {
            var why = "the directory connection is not authorized"
            if tenant.connectionState != .notConnected {
                why +=
                    " (\(tenant.connectionState.rawValue)\(tenant.connectionErrorCode.map { ", directory code \($0)" } ?? ""))"
            }
            if tenant.connectionState == .consentRequired, let url = adminConsentURL(tenant) {
                throw RPCError(
                    .failedPrecondition,
                    why + "; a Global Administrator of the directory grants the consent at \(url), "
                        + "then run ConnectDirectory (`roster connect`) again"
                )
            }
            throw RPCError(.failedPrecondition, why + "; run ConnectDirectory (`roster connect`) first")
        }
        if case .group(let id, _) = scope {
            scope = .group(id: id, name: try await checkedGroupName(id: id, tenant: tenant))
        }
        groups.refreshInBackground(tenant: tenant.id)
        let started: JobManager.Started
        do {
            started = try await jobs.start(
                SyncRequest(
                    tenantID: tenant.id,
                    scope: scope,
                    dryRun: request.dryRun,
                    acknowledgeRemovals: request.acknowledgeRemovals,
                    startedBy: caller.label.isEmpty ? caller.keyID : caller.label,
                    forceFull: request.forceFull
                )
            )
        } catch {
            throw RPCError(error)
        }
        var response = StartSyncResponse()
        response.alreadyRunning = started.alreadyRunning
        response.job = SyncJob(started.job)
        guard !started.alreadyRunning else { return response }
        logger.info(
            "sync started",
            metadata: [
                "tenant": "\(tenant.id)", "job": "\(started.job.id)",
                "scope": "\(scope == .allUsers ? "all users" : "group")",
                "mode": "\(started.job.mode.rawValue)", "dry-run": "\(request.dryRun)",
            ]
        )

        if request.dryRun {
            // A dry run answers with its plan, so it waits for the job's end.
            let final = await progress(of: started.job.id) { $0.isFinal }
            if let final, final.state == .failed || final.state == .interrupted || final.state == .cancelled,
                let error = final.error
            {
                throw RPCError(error)
            }
            if let plan = final?.plan { response.plan = DryRunPlan(plan) }
        } else if case .group = scope, tenant.scope != scope, !request.acknowledgeRemovals,
            try await storeCall({ () async throws(StoreError) in try await store.contactCount(tenant: tenant.id) }) > 0
        {
            // A scope change to a group: answer once the job has ended (its apply decides inside
            // its transaction), so that removals needing acknowledgement come back as
            // FAILED_PRECONDITION with their count.
            let decided = await progress(of: started.job.id) { $0.isFinal }
            if let decided, decided.isFinal, let error = decided.error,
                error.code == .scopeChangeNeedsAcknowledgement || error.code == .removalsNeedAcknowledgement
            {
                throw RPCError(error)
            }
        } else {
            return response
        }
        if let job = try await storeCall({ () async throws(StoreError) in try await store.job(id: started.job.id) }) {
            response.job = SyncJob(job)
        }
        return response
    }

    func cancelSync(_ request: CancelSyncRequest, caller: Caller) async throws(RPCError) -> CancelSyncResponse {
        try caller.require([.admin, .editor], to: "cancel a sync")
        let active = try await storeCall { () async throws(StoreError) in
            try await store.activeJob(tenant: caller.tenantID)
        }
        if !request.jobID.isEmpty, active?.id != request.jobID {
            let job = try await job(request.jobID, caller: caller)
            throw RPCError(
                .failedPrecondition,
                "job \(job.id) is not running (it ended \(job.state.rawValue)); nothing to cancel"
            )
        }
        let cancelled: SyncJobRecord?
        do {
            cancelled = try await jobs.cancel(tenant: caller.tenantID)
        } catch {
            throw RPCError(error)
        }
        guard let active, cancelled != nil else {
            throw RPCError(.failedPrecondition, "no sync is running for this tenant; nothing to cancel")
        }
        // The job stops at its next check (between pages), on whichever replica runs it; an apply
        // that has begun completes.
        await jobs.waitUntilEnded(job: active.id)
        logger.info("sync cancelled", metadata: ["tenant": "\(caller.tenantID)", "job": "\(active.id)"])
        var response = CancelSyncResponse()
        let final = try await storeCall { () async throws(StoreError) in try await store.job(id: active.id) }
        response.job = SyncJob(final ?? active)
        return response
    }

    // MARK: - Helpers

    /// The request's scope, or INVALID_ARGUMENT.
    static func scope(_ scope: RosterWire.SyncScope?) throws(RPCError) -> RosterStore.SyncScope {
        switch scope?.kind {
        case .allUsers?:
            return .allUsers
        case .group?:
            guard let id = scope?.groupID, !id.isEmpty else {
                throw RPCError(.invalidArgument, "a GROUP scope needs group_id; find it with ListGroups")
            }
            return .group(id: id, name: scope?.groupDisplayName ?? "")
        default:
            throw RPCError(
                .invalidArgument,
                "StartSync needs a scope: SCOPE_KIND_ALL_USERS, or SCOPE_KIND_GROUP with group_id"
            )
        }
    }

    /// Asks the directory for the group: NOT_FOUND when it does not exist, INVALID_ARGUMENT naming
    /// its kind when it is not a mail-enabled security group. Returns its display name.
    private func checkedGroupName(id: String, tenant: TenantRecord) async throws(RPCError) -> String {
        let group: DirectoryGroup
        do {
            let directory = try await connector.directory(tenant: tenant, store: store)
            group = try await directory.group(id: id)
        } catch let error as DirectoryError where error.code == .notFound {
            throw RPCError(.notFound, "no group with id \(id) in the directory; search for it with ListGroups")
        } catch let error as DirectoryError {
            throw RPCError(SyncError(error))
        } catch {
            throw RPCError(.internal, "cannot read the tenant's directory settings: \(error)")
        }
        if let refusal = group.syncScopeRefusal {
            throw RPCError(.invalidArgument, refusal)
        }
        return group.displayName ?? id
    }

    /// The first progress value of `job` satisfying `condition` (the final one at the latest).
    func progress(of job: String, until condition: (SyncProgress) -> Bool) async -> SyncProgress? {
        guard let updates = try? await jobs.watch(job: job) else { return nil }
        var last: SyncProgress?
        for await value in updates {
            last = value
            if condition(value) { return value }
        }
        return last
    }

    /// The caller's tenant's job `id`; NOT_FOUND for another tenant's job, exactly as for none.
    func job(_ id: String, caller: Caller) async throws(RPCError) -> SyncJobRecord {
        let job = try await storeCall { () async throws(StoreError) in try await store.job(id: id) }
        guard let job, job.tenantID == caller.tenantID else {
            throw Self.unknownJob(id)
        }
        return job
    }

    /// NOT_FOUND for a job id the caller's tenant does not have (another tenant's reads the same).
    static func unknownJob(_ id: String) -> RPCError {
        RPCError(.notFound, "no sync job \(id) for this tenant; list jobs with ListSyncJobs")
    }
}
