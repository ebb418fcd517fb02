/// One page of a listing: users or groups, as the directory sent them.
package struct DirectoryPage<Item: Sendable>: Sendable {
    /// The page's items, in the directory's order.
    package var items: [Item]
    /// The total over all pages when the directory said (Graph's `@odata.count`, first page only).
    package var totalCount: Int?

    /// A page with the given items.
    package init(items: [Item], totalCount: Int? = nil) {
        self.items = items
        self.totalCount = totalCount
    }
}

extension DirectoryPage: Equatable where Item: Equatable {}

/// One page of changes from a delta query.
///
/// Pages may replay users already seen (Graph promises at-least-once): applying a page twice must
/// be harmless, which upserts by id and removals by id are.
package struct DeltaPage: Sendable, Equatable {
    /// Users added or changed since the previous delta link (the whole directory on a first run).
    package var changed: [DirectoryUser]
    /// Users gone from the directory (or, with reason `changed`, gone from its scope).
    package var removed: [Removal]
    /// Set on the last page only: store it and pass it to the next
    /// ``DirectorySource/userChanges(since:)``.
    package var deltaLink: String?
    /// The changed users whose entry left out some contact properties, with the properties it
    /// carried: those left out are unchanged (keep the stored values). Users not listed are whole.
    package var partial: [String: DirectoryUser.Properties]

    /// A page with the given contents.
    package init(
        changed: [DirectoryUser],
        removed: [Removal],
        deltaLink: String?,
        partial: [String: DirectoryUser.Properties] = [:]
    ) {
        self.changed = changed
        self.removed = removed
        self.deltaLink = deltaLink
        self.partial = partial
    }

    /// A user reported as `{"id": …, "@removed": {"reason": …}}`.
    package struct Removal: Sendable, Hashable {
        package var id: String
        /// `"deleted"` (deleted for good, or soft-deleted) or `"changed"` (moved out of scope).
        package var reason: String

        package init(id: String, reason: String) {
            self.id = id
            self.reason = reason
        }
    }
}
