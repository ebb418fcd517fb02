/// One organization's directory connection and sync settings (its client secret is kept apart,
/// encrypted: see `Store.setClientSecret`).
package struct TenantRecord: Sendable, Hashable {
    /// Roster's id of the tenant.
    package var id: String
    /// The organization's name, for operators.
    package var displayName: String
    /// The Entra directory (tenant) id the credentials belong to.
    package var directoryTenantID: String?
    /// The application (client) id.
    package var clientID: String?
    /// Token endpoint host, e.g. https://login.microsoftonline.com (national clouds differ).
    package var authorityURL: String
    /// Graph host, e.g. https://graph.microsoft.com (paths such as /v1.0/users are added to it).
    package var graphBaseURL: String
    /// The OAuth scope of the directory's tokens; nil derives it from ``graphBaseURL``.
    package var tokenScope: String?
    /// Whether the directory credentials are proven.
    package var connectionState: ConnectionState
    /// The directory's own error code behind a failed connection state.
    package var connectionErrorCode: String?
    /// The saved sync scope.
    package var scope: SyncScope
    /// Graph's deltaLink from the last full all-users sync, for the next incremental one.
    package var deltaLink: String?
    /// A sync removing more contacts than this stops unless acknowledged. Default 500.
    package var deletionThreshold: Int
    /// Whether disabled accounts are synced.
    package var includeDisabled: Bool
    /// Minutes between scheduled syncs; 0 turns scheduling off.
    package var syncIntervalMinutes: Int
    /// When the next scheduled sync is due (Unix ms), if any.
    package var nextSyncAt: Int64?
    /// When the tenant was created (Unix ms).
    package var createdAt: Int64
    /// Whether an encrypted client secret is stored (set by the stores when they read a tenant;
    /// store a secret with `setClientSecret`).
    package var hasClientSecret: Bool
    /// Additional user properties synced into ``ContactRecord/attributes`` (Graph user properties
    /// and `extension_<app id>_<name>` schema extensions), canonical names in the admin's order.
    /// Stored as a JSON array of strings; a change must clear ``deltaLink``.
    package var attributes: [String]
    /// Whether syncs fetch the users' profile photos (``ContactPhoto``). Default true.
    package var syncPhotos: Bool

    /// A new, unconnected tenant with default options, scoped to all users.
    package init(id: String, displayName: String, authorityURL: String, graphBaseURL: String, createdAt: Int64) {
        self.id = id
        self.displayName = displayName
        self.authorityURL = authorityURL
        self.graphBaseURL = graphBaseURL
        self.connectionState = .notConnected
        self.scope = .allUsers
        self.deletionThreshold = 500
        self.includeDisabled = false
        self.syncIntervalMinutes = 0
        self.createdAt = createdAt
        self.hasClientSecret = false
        self.attributes = []
        self.syncPhotos = true
    }
}
