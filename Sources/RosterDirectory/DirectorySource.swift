/// Where the people come from: Microsoft Graph (``GraphDirectory``) or a Graph-shaped JSON export
/// (``FileDirectory``, which also serves the bundled demo directory).
///
/// Listings are ``DirectoryPages``: the caller iterates page by page and the source never holds a
/// whole directory. Every call throws ``DirectoryError`` only. A source reports throttling waits
/// through its own configuration (``GraphDirectory/Configuration/onThrottle``), so a sync can show
/// them in its progress.
package protocol DirectorySource: Sendable {
    /// Proves the connection works: credentials accepted, the permissions Roster needs granted,
    /// and a read succeeds. ConnectDirectory calls this before marking a tenant AUTHORIZED.
    /// Returns the application permissions granted (the token's `roles`), sorted.
    @discardableResult
    func verifyPermissions() async throws(DirectoryError) -> [String]

    /// Every user of the directory (members, guests, enabled or not: the caller picks).
    func users() -> DirectoryPages<DirectoryPage<DirectoryUser>>

    /// The mail-enabled security groups: the groups a sync may be scoped to (the type-ahead source).
    func mailEnabledSecurityGroups() -> DirectoryPages<DirectoryPage<DirectoryGroup>>

    /// Any group by id, whatever its kind, so the caller can refuse the wrong kind by name.
    /// Throws ``DirectoryError/Code/notFound`` for an unknown id.
    func group(id: String) async throws(DirectoryError) -> DirectoryGroup

    /// The users among the group's transitive members: nested groups are expanded, each user once.
    func transitiveUserMembers(ofGroup id: String) -> DirectoryPages<DirectoryPage<DirectoryUser>>

    /// Changes since `deltaLink`, or the whole directory as changes when `deltaLink` is `nil`;
    /// the last page carries the delta link to store. Throws ``DirectoryError/Code/resyncRequired``
    /// when the link can no longer be used: run a full sync and start over with `nil`.
    func userChanges(since deltaLink: String?) -> DirectoryPages<DeltaPage>

    /// These users as they are now, each whole (every property, empty ones included); ids no
    /// longer in the directory are left out. A delta row that leaves out properties is completed
    /// this way.
    func users(ids: [String]) async throws(DirectoryError) -> [DirectoryUser]

    /// A delta link for the directory as it is now, taken without listing it, or nil when the
    /// source has no such shortcut. A full sync takes it first, then reads ``users()`` (far
    /// fewer, larger pages than the delta query's); the next delta replays whatever changed while
    /// it listed.
    func latestDeltaLink() async throws(DirectoryError) -> String?

    /// How many users ``users()`` will list, when the source can say cheaply (an estimate), else nil.
    func userCount() async throws(DirectoryError) -> Int?

    /// The user's profile photo, downloaded only when its etag differs from `knownETag` (the one
    /// the caller holds, nil for none): ``PhotoFetch/unchanged`` otherwise, ``PhotoFetch/none``
    /// when the user has no photo. The delta query does not report photo changes, so a sync asks
    /// this for every user in scope.
    func photo(userID: String, knownETag: String?) async throws(DirectoryError) -> PhotoFetch
}

extension DirectorySource {
    /// The default: no shortcut; a full sync pages ``userChanges(since:)`` from the start.
    package func latestDeltaLink() async throws(DirectoryError) -> String? { nil }

    /// The default: unknown.
    package func userCount() async throws(DirectoryError) -> Int? { nil }

    /// The default: a source without photos.
    package func photo(userID: String, knownETag: String?) async throws(DirectoryError) -> PhotoFetch { .none }

    /// The default: the users listing, filtered (for sources that list cheaply, such as files).
    package func users(ids: [String]) async throws(DirectoryError) -> [DirectoryUser] {
        let wanted = Set(ids)
        var found: [DirectoryUser] = []
        for try await page in users() { found += page.items.filter { wanted.contains($0.id) } }
        return found
    }
}
