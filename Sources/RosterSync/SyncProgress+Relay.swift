internal import Foundation
internal import RosterStore

// A progress value as the replica running its job announces it to the other replicas: compact
// JSON, small enough for one PostgreSQL NOTIFY (a dry run's plan samples are cut to fit).
extension SyncProgress {
    /// The value as JSON of at most `limit` bytes: a dry run's plan keeps fewer samples when the
    /// whole would be larger (its counts stay whole).
    package func relayPayload(limit: Int) -> String {
        var relayed = Relayed(self)
        while true {
            let text = (try? JSONEncoder().encode(relayed)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            guard text.utf8.count > limit, let plan = relayed.plan, plan.sampleCount > 0 else { return text }
            relayed.plan = plan.halved()
        }
    }

    /// The value a ``relayPayload(limit:)`` carries, or nil when the text is not one.
    package init?(relayPayload text: String) {
        guard let relayed = try? JSONDecoder().decode(Relayed.self, from: Data(text.utf8)),
            let value = relayed.progress
        else { return nil }
        self = value
    }
}

/// ``SyncProgress`` field by field, enums as their stored text.
private struct Relayed: Codable {
    struct Plan: Codable {
        struct Entry: Codable {
            var id: String
            var name: String?
            var mail: String?
        }
        var added, updated, removed, unchanged, totalAfter: Int
        var toAdd, toUpdate, toRemove: [Entry]

        var sampleCount: Int { toAdd.count + toUpdate.count + toRemove.count }

        func halved() -> Plan {
            var copy = self
            copy.toAdd = Array(toAdd.prefix(toAdd.count / 2))
            copy.toUpdate = Array(toUpdate.prefix(toUpdate.count / 2))
            copy.toRemove = Array(toRemove.prefix(toRemove.count / 2))
            return copy
        }
    }

    var job, tenant, state, mode, message: String
    var phase: String?
    var fetched, added, updated, removed, unchanged: Int
    var total: Int?
    var percent: Double?
    var eta, throttleWait, startedAt, finishedAt: Int64?
    var summary, errorCode, errorMessage: String?
    var plan: Plan?

    init(_ progress: SyncProgress) {
        job = progress.jobID
        tenant = progress.tenantID
        state = progress.state.rawValue
        phase = progress.phase?.rawValue
        mode = progress.mode.rawValue
        message = progress.message
        fetched = progress.fetched
        total = progress.total
        added = progress.added
        updated = progress.updated
        removed = progress.removed
        unchanged = progress.unchanged
        percent = progress.percent
        eta = progress.etaMilliseconds
        throttleWait = progress.throttleWaitMilliseconds
        startedAt = progress.startedAt
        finishedAt = progress.finishedAt
        summary = progress.summary
        errorCode = progress.error?.code.description
        errorMessage = progress.error?.message
        plan = progress.plan.map { plan in
            let entries = { (entries: [ApplyPlan.Entry]) in
                entries.map { Plan.Entry(id: $0.id, name: $0.displayName, mail: $0.mail) }
            }
            return Plan(
                added: plan.counts.added,
                updated: plan.counts.updated,
                removed: plan.counts.removed,
                unchanged: plan.counts.unchanged,
                totalAfter: plan.counts.totalAfter,
                toAdd: entries(plan.toAdd),
                toUpdate: entries(plan.toUpdate),
                toRemove: entries(plan.toRemove)
            )
        }
    }

    /// The value, or nil when a stored text is unknown (a newer replica's).
    var progress: SyncProgress? {
        guard let state = JobState(rawValue: state), let mode = SyncMode(rawValue: mode) else { return nil }
        var job = SyncJobRecord(
            id: job,
            tenantID: tenant,
            scope: .allUsers,
            mode: mode,
            createdAt: 0,
            startedBy: nil,
            trigger: .manual,
            dryRun: false,
            acknowledgedRemovals: false
        )
        job.state = state
        job.phase = phase.flatMap(JobPhase.init(rawValue:))
        var progress = SyncProgress(job: job)
        progress.fetched = fetched
        progress.total = total
        progress.added = added
        progress.updated = updated
        progress.removed = removed
        progress.unchanged = unchanged
        progress.percent = percent
        progress.etaMilliseconds = eta
        progress.throttleWaitMilliseconds = throttleWait
        progress.startedAt = startedAt
        progress.finishedAt = finishedAt
        progress.message = message
        progress.summary = summary
        progress.error = errorCode.map { SyncError(code: $0, message: errorMessage ?? "") }
        progress.plan = plan.map { plan in
            let entries = { (entries: [Plan.Entry]) in
                entries.map { ApplyPlan.Entry(id: $0.id, displayName: $0.name, mail: $0.mail) }
            }
            return ApplyPlan(
                counts: ApplyCounts(
                    added: plan.added,
                    updated: plan.updated,
                    removed: plan.removed,
                    unchanged: plan.unchanged,
                    totalAfter: plan.totalAfter
                ),
                toAdd: entries(plan.toAdd),
                toUpdate: entries(plan.toUpdate),
                toRemove: entries(plan.toRemove)
            )
        }
        return progress
    }
}
