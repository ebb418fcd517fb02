/// How the apply step treats contacts that were not staged.
package enum ApplyKind: String, Sendable, Hashable {
    /// Full or group sync: the staged rows are the whole new set; everyone else is removed.
    case replaceAll
    /// Delta sync: staged rows are upserts, staged removals remove; everyone else stays.
    case incremental
}

/// What an apply did (or, for a dry run, would do).
package struct ApplyCounts: Sendable, Hashable {
    package var added = 0
    package var updated = 0
    package var removed = 0
    package var unchanged = 0
    /// Contacts of the tenant after the apply.
    package var totalAfter = 0

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
        package var id: String
        package var displayName: String?
        package var mail: String?
    }

    package var counts: ApplyCounts
    /// Up to `sampleLimit` (20 by default) contacts per action, ordered by id.
    package var toAdd: [Entry]
    package var toUpdate: [Entry]
    package var toRemove: [Entry]
}
