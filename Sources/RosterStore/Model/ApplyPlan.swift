/// How the apply step treats contacts that were not staged.
package enum ApplyKind: String, Sendable, Hashable {
    /// Full or group sync: the staged rows are the whole new set; everyone else is removed.
    case replaceAll
    /// Delta sync: staged rows are upserts, staged removals remove; everyone else stays.
    case incremental
}

/// What an apply did (or, for a dry run, would do).
package struct ApplyCounts: Sendable, Hashable {
    /// Contacts added (staged, not present before).
    package var added = 0
    /// Contacts whose fields changed.
    package var updated = 0
    /// Contacts removed.
    package var removed = 0
    /// Staged contacts identical to the stored ones.
    package var unchanged = 0
    /// Contacts of the tenant after the apply.
    package var totalAfter = 0

    /// Whether any contact was added, updated or removed.
    package var changedAny: Bool { added + updated + removed > 0 }

    /// Counts as given (zero by default).
    package init(added: Int = 0, updated: Int = 0, removed: Int = 0, unchanged: Int = 0, totalAfter: Int = 0) {
        self.added = added
        self.updated = updated
        self.removed = removed
        self.unchanged = unchanged
        self.totalAfter = totalAfter
    }
}

/// A dry run's result: the counts plus a sample of each action.
package struct ApplyPlan: Sendable, Hashable {
    /// One contact in a sample.
    package struct Entry: Sendable, Hashable {
        /// The contact's directory id.
        package var id: String
        /// Its display name, if any.
        package var displayName: String?
        /// Its mail, if any.
        package var mail: String?

        /// An entry for the contact `id`.
        package init(id: String, displayName: String?, mail: String?) {
            self.id = id
            self.displayName = displayName
            self.mail = mail
        }
    }

    /// What the apply would do.
    package var counts: ApplyCounts
    /// Up to `sampleLimit` (20 by default) contacts per action, ordered by id.
    package var toAdd: [Entry]
    /// Up to the sample limit of contacts to update, by id.
    package var toUpdate: [Entry]
    /// Up to the sample limit of contacts to remove, by id.
    package var toRemove: [Entry]

    /// A plan of `counts` with these samples.
    package init(counts: ApplyCounts, toAdd: [Entry], toUpdate: [Entry], toRemove: [Entry]) {
        self.counts = counts
        self.toAdd = toAdd
        self.toUpdate = toUpdate
        self.toRemove = toRemove
    }
}

/// Removal limits an apply checks inside its transaction, before it commits: when one is broken,
/// nothing is written and the apply reports ``ApplyOutcome/refused(_:)`` with the counts.
package struct ApplyLimits: Sendable, Hashable {
    /// The most contacts the apply may remove; nil for any number.
    package var maximumRemovals: Int?
    /// Refuse an apply that removes contacts and leaves the tenant none.
    package var refuseEmptying: Bool

    package init(maximumRemovals: Int?, refuseEmptying: Bool) {
        self.maximumRemovals = maximumRemovals
        self.refuseEmptying = refuseEmptying
    }

    /// No limit.
    package static let none = ApplyLimits(maximumRemovals: nil, refuseEmptying: false)

    /// Whether `counts` break a limit.
    package func refuses(_ counts: ApplyCounts) -> Bool {
        if let maximumRemovals, counts.removed > maximumRemovals { return true }
        return refuseEmptying && counts.removed > 0 && counts.totalAfter == 0
    }
}

/// What an apply with limits did.
package enum ApplyOutcome: Sendable, Hashable {
    /// Committed, with these counts.
    case applied(ApplyCounts)
    /// A limit was broken: rolled back, nothing written; the counts it would have had.
    case refused(ApplyCounts)
}
