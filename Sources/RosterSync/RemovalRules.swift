import RosterStore

/// Guarantee 3 of docs/product.md (no accidental mass deletion), scope-change warning included:
/// removal of every contact, a switch to a group that removes anyone, or removals beyond the
/// tenant's threshold need the starter's acknowledgement.
///
/// A real run hands ``limits(job:tenant:)`` to the store's apply, which rolls back when one is
/// broken; ``check(_:job:tenant:)`` then says which and what to do, and tells a dry run whether a
/// real one would stop. Tests: `RemovalRulesTests`.
enum RemovalRules {
    /// The limits the apply checks for `job`: none once acknowledged; otherwise never emptying the
    /// tenant, no removal at all on a change of scope to a group, and at most the threshold.
    static func limits(job: SyncJobRecord, tenant: TenantRecord) -> ApplyLimits {
        guard !job.acknowledgedRemovals else { return .none }
        if case .group(let id, _) = job.scope, !tenant.scope.isGroup(id: id) {
            return ApplyLimits(maximumRemovals: 0, refuseEmptying: true)
        }
        return ApplyLimits(maximumRemovals: tenant.deletionThreshold, refuseEmptying: true)
    }

    /// Throws the rule `counts` break for `job` (unacknowledged), with the count and what to do.
    static func check(_ counts: ApplyCounts, job: SyncJobRecord, tenant: TenantRecord) throws(SyncError) {
        let removed = counts.removed
        guard removed > 0, !job.acknowledgedRemovals else { return }
        let count = SyncProgress.grouped(removed)
        if counts.totalAfter == 0 {
            throw SyncError(
                .removalsNeedAcknowledgement,
                "the directory reported no users in scope, so this sync would remove all \(count) contacts; "
                    + "check the directory connection and the scope, and start the sync again acknowledging "
                    + "removals only if the directory really is empty",
                removalCount: removed
            )
        }
        if case .group(let id, let name) = job.scope, !tenant.scope.isGroup(id: id) {
            throw SyncError(
                .scopeChangeNeedsAcknowledgement,
                "switching the scope to the group “\(name)” would remove \(count) contacts: all user data for "
                    + "people outside this group will be removed; start the sync again acknowledging removals",
                removalCount: removed
            )
        }
        if removed > tenant.deletionThreshold {
            throw SyncError(
                .removalsNeedAcknowledgement,
                "this sync would remove \(count) contacts, more than the deletion threshold of "
                    + "\(SyncProgress.grouped(tenant.deletionThreshold)); check the directory, then start the sync "
                    + "again acknowledging removals (or raise the tenant's threshold)",
                removalCount: removed
            )
        }
    }
}

extension SyncScope {
    /// Whether this is the group scope of group `id` (names may change; ids do not).
    func isGroup(id: String) -> Bool {
        if case .group(let groupID, _) = self { groupID == id } else { false }
    }
}
