/// One entry of a tenant's change feed: a contact added, updated or removed, numbered in the
/// tenant's order of commits.
///
/// The feed keeps which contact changed and how, not the fields: a reader gets the contact as it
/// is when read (``contact``), so replaying an entry twice or late never shows stale details.
package struct ContactChangeRecord: Sendable, Hashable {
    /// The tenant's sequence number of the change: 1, 2, 3 … without gaps, in commit order.
    package var sequence: Int64
    /// The contact that changed.
    package var contactID: String
    /// What happened to it.
    package var kind: ContactChangeKind
    /// What made the change.
    package var source: ContactChangeSource
    /// When the change was committed (Unix milliseconds).
    package var changedAt: Int64
    /// The contact as it is now; nil when it has been removed (by this change or a later one).
    package var contact: ContactRecord?

    package init(
        sequence: Int64,
        contactID: String,
        kind: ContactChangeKind,
        source: ContactChangeSource,
        changedAt: Int64,
        contact: ContactRecord?
    ) {
        self.sequence = sequence
        self.contactID = contactID
        self.kind = kind
        self.source = source
        self.changedAt = changedAt
        self.contact = contact
    }
}

/// What a change did to its contact (stored as the raw value).
package enum ContactChangeKind: String, Sendable, Hashable, CaseIterable {
    case added
    case updated
    case removed
}

/// What made a change (stored as the raw value).
package enum ContactChangeSource: String, Sendable, Hashable, CaseIterable {
    /// A sync applied the directory's values.
    case directory
    /// An admin or editor set or cleared a local override.
    case override
    /// A sync stored, replaced or deleted the contact's photo.
    case photo
}

/// A page of a tenant's change feed.
package struct ContactChangePage: Sendable, Hashable {
    /// The changes after the asked-for cursor, oldest first.
    package var changes: [ContactChangeRecord]
    /// The tenant's newest sequence number when the page was read: the cursor to resume from once
    /// `changes` has been consumed and it is not empty, or when caught up.
    package var latest: Int64

    package init(changes: [ContactChangeRecord], latest: Int64) {
        self.changes = changes
        self.latest = latest
    }
}

// The rules every store applies to a cursor and to the page it reads after it.
extension Store {
    /// Throws `.expired` unless every change after `cursor` is retained: `floor` is the newest
    /// pruned change, `latest` the newest.
    package static func checkCursor(_ cursor: Int64, latest: Int64, floor: Int64) throws(StoreError) {
        if cursor < floor {
            throw StoreError(
                .expired,
                "changes after cursor \(cursor) are no longer retained (the oldest kept follows \(floor))"
            )
        }
        if cursor > latest {
            throw StoreError(.expired, "cursor \(cursor) is ahead of this tenant's newest change (\(latest))")
        }
    }

    /// A tenant's changes are numbered without gaps: a page must start right after `cursor`, or the
    /// changes in between were pruned while it was read. Raises `latest` to the page's last change.
    package static func checkPage(_ page: ContactChangePage, after cursor: Int64) throws(StoreError)
        -> ContactChangePage
    {
        var page = page
        guard let first = page.changes.first else { return page }
        guard first.sequence == cursor + 1 else {
            throw StoreError(.expired, "changes after cursor \(cursor) are no longer retained (pruned while read)")
        }
        page.latest = max(page.latest, page.changes[page.changes.count - 1].sequence)
        return page
    }
}
