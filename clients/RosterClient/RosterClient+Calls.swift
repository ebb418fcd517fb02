public import RosterRPC
public import RosterWire

/// A call's failure: the gRPC status code and the server's message, which says what to do next.
public typealias RosterError = RPCError

// One typed method per call of `roster.v1.Roster` (proto/roster.proto). Each throws a
// ``RosterError`` carrying the server's status code and message.
extension RosterClient {
    /// Verifies and stores the tenant's Microsoft Graph credentials. Admin.
    public func connectDirectory(_ request: ConnectDirectoryRequest) async throws -> ConnectDirectoryResponse {
        try await call(RosterMethods.connectDirectory, request)
    }

    /// Connection state, saved scope, active and last job, schedule.
    public func getStatus() async throws -> GetStatusResponse {
        try await call(RosterMethods.getStatus, GetStatusRequest())
    }

    /// Starts a sync in the background and returns its job at once (or the running one).
    public func startSync(_ request: StartSyncRequest) async throws -> StartSyncResponse {
        try await call(RosterMethods.startSync, request)
    }

    /// Stops the active job (or `jobID`); nothing of it is applied.
    public func cancelSync(jobID: String = "") async throws -> CancelSyncResponse {
        var request = CancelSyncRequest()
        request.jobID = jobID
        return try await call(RosterMethods.cancelSync, request)
    }

    /// The live progress of a job (empty id: the active or last one): its state now, updates,
    /// then a final message with the confirmation summary.
    public func watchProgress(jobID: String = "") async throws -> RPCResponseStream<ProgressUpdate> {
        var request = WatchProgressRequest()
        request.jobID = jobID
        return try await call(RosterMethods.watchProgress, request)
    }

    /// Type-ahead search among mail-enabled security groups.
    public func listGroups(query: String, limit: Int32 = 10) async throws -> ListGroupsResponse {
        var request = ListGroupsRequest()
        request.query = query
        request.limit = limit
        return try await call(RosterMethods.listGroups, request)
    }

    /// One page of synchronized contacts.
    public func listContacts(_ request: ListContactsRequest) async throws -> ListContactsResponse {
        try await call(RosterMethods.listContacts, request)
    }

    /// One contact by id, mail or userPrincipalName.
    public func getContact(_ lookup: GetContactRequest.Lookup) async throws -> GetContactResponse {
        try await call(RosterMethods.getContact, GetContactRequest(lookup: lookup))
    }

    /// The tenant's job history, newest first.
    public func listSyncJobs(limit: Int32 = 20, pageToken: String = "") async throws -> ListSyncJobsResponse {
        var request = ListSyncJobsRequest()
        request.limit = limit
        request.pageToken = pageToken
        return try await call(RosterMethods.listSyncJobs, request)
    }

    /// Changes the tenant's options; unset fields keep their value. Admin.
    public func updateSettings(_ request: UpdateSettingsRequest) async throws -> UpdateSettingsResponse {
        try await call(RosterMethods.updateSettings, request)
    }

    /// Mints an API key of your tenant; the answer's `token` is the key, shown this once. Admin.
    public func createAPIKey(role: Role, label: String, expiresUnixMs: Int64 = 0) async throws -> CreateAPIKeyResponse {
        var request = CreateAPIKeyRequest()
        request.role = role
        request.label = label
        request.expiresUnixMs = expiresUnixMs
        return try await call(RosterMethods.createAPIKey, request)
    }

    /// Your tenant's API keys, revoked and expired ones included; never a token. Admin.
    public func listAPIKeys() async throws -> ListAPIKeysResponse {
        try await call(RosterMethods.listAPIKeys, ListAPIKeysRequest())
    }

    /// Revokes one of your tenant's API keys. Admin.
    public func revokeAPIKey(id: String) async throws -> RevokeAPIKeyResponse {
        var request = RevokeAPIKeyRequest()
        request.id = id
        return try await call(RosterMethods.revokeAPIKey, request)
    }
}
