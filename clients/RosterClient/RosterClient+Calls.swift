// Re-exported: a caller reads `RosterError.code`, compares it with `.notFound` and iterates a
// `RPCResponseStream`, all declared in RosterRPC, which is no product of its own. Without it a
// package with MemberImportVisibility (this one's setting, and a future language mode's rule)
// could not name them.
@_exported public import RosterRPC
public import RosterWire

/// A call's failure: the gRPC status code and the server's message, which says what to do next.
///
/// Switch on its `code`: `.notFound`, `.invalidArgument`, `.unauthenticated`,
/// `.permissionDenied`, `.unavailable`, `.deadlineExceeded`, …
public typealias RosterError = RPCError

// One typed method per call of `roster.v1.Roster` (proto/roster.proto). Each throws a
// ``RosterError`` carrying the server's status code and message. `timeout` is the call's deadline
// (nil: the configuration's `defaultTimeout`); past it the call fails with DEADLINE_EXCEEDED.
extension RosterClient {
    /// Verifies and stores the tenant's Microsoft Graph credentials. Admin.
    public func connectDirectory(
        _ request: ConnectDirectoryRequest,
        timeout: Duration? = nil
    ) async throws -> ConnectDirectoryResponse {
        try await call(RosterMethods.connectDirectory, request, timeout: timeout)
    }

    /// Connection state, saved scope, active and last job, schedule.
    public func getStatus(timeout: Duration? = nil) async throws -> GetStatusResponse {
        try await call(RosterMethods.getStatus, GetStatusRequest(), timeout: timeout)
    }

    /// Starts a sync in the background and returns its job at once (or the running one).
    public func startSync(_ request: StartSyncRequest, timeout: Duration? = nil) async throws -> StartSyncResponse {
        try await call(RosterMethods.startSync, request, timeout: timeout)
    }

    /// Stops the active job (or `jobID`); nothing of it is applied.
    public func cancelSync(jobID: String = "", timeout: Duration? = nil) async throws -> CancelSyncResponse {
        var request = CancelSyncRequest()
        request.jobID = jobID
        return try await call(RosterMethods.cancelSync, request, timeout: timeout)
    }

    /// The live progress of a job (empty id: the active or last one): its state now, updates,
    /// then a final message (`final` set) with the confirmation summary. The stream
    /// ends after the final message. `timeout` (nil: none) bounds the whole stream.
    public func watchProgress(
        jobID: String = "",
        timeout: Duration? = nil
    ) async throws -> RPCResponseStream<ProgressUpdate> {
        var request = WatchProgressRequest()
        request.jobID = jobID
        return try await call(RosterMethods.watchProgress, request, timeout: timeout)
    }

    /// Type-ahead search among mail-enabled security groups.
    public func listGroups(query: String, limit: Int32 = 10, timeout: Duration? = nil) async throws
        -> ListGroupsResponse
    {
        var request = ListGroupsRequest()
        request.query = query
        request.limit = limit
        return try await call(RosterMethods.listGroups, request, timeout: timeout)
    }

    /// One page of synchronized contacts.
    public func listContacts(_ request: ListContactsRequest, timeout: Duration? = nil) async throws
        -> ListContactsResponse
    {
        try await call(RosterMethods.listContacts, request, timeout: timeout)
    }

    /// One page of synchronized contacts, by id.
    ///
    /// - Parameters:
    ///   - search: A prefix of the name, mail or userPrincipalName (case and accents ignored);
    ///     empty: every contact.
    ///   - pageSize: Contacts per page; 0 means the server's default (100), at most 1,000.
    ///   - pageToken: The previous page's `nextPageToken`; empty: the first page.
    ///   - timeout: The call's deadline; nil: the configuration's `defaultTimeout`.
    /// - Returns: The page; its `nextPageToken` is empty on the last one.
    public func listContacts(
        search: String = "",
        pageSize: Int = 0,
        pageToken: String = "",
        timeout: Duration? = nil
    ) async throws -> ListContactsResponse {
        try await listContacts(
            ListContactsRequest(search: search, pageSize: pageSize, pageToken: pageToken),
            timeout: timeout
        )
    }

    /// Every synchronized contact (matching `search`), page after page: each page is asked for
    /// when the one before has been read, so stopping early asks for no more.
    ///
    ///     for try await contact in client.allContacts(search: "smith") {
    ///         print(contact.displayName)
    ///     }
    ///
    /// - Parameters:
    ///   - search: As for ``listContacts(search:pageSize:pageToken:timeout:)``.
    ///   - pageSize: Contacts per call; 0 means the server's default (100), at most 1,000.
    ///   - timeout: The deadline of each page's call.
    public func allContacts(search: String = "", pageSize: Int = 0, timeout: Duration? = nil) -> RosterContacts {
        RosterContacts(
            client: self,
            request: ListContactsRequest(search: search, pageSize: pageSize, pageToken: ""),
            timeout: timeout
        )
    }

    /// One page of the tenant's contact changes after `after` (0: from the start), oldest first.
    ///
    /// - Throws: ``RosterError`` FAILED_PRECONDITION when changes after `after` are no longer
    ///   retained: read every contact again and resume from the first page's `changeCursor`.
    public func listContactChanges(after: Int64, pageSize: Int32 = 0, timeout: Duration? = nil) async throws
        -> ListContactChangesResponse
    {
        var request = ListContactChangesRequest()
        request.after = after
        request.pageSize = pageSize
        return try await call(RosterMethods.listContactChanges, request, timeout: timeout)
    }

    /// One WatchContactChanges stream after `after`: the backlog, then each change as it commits.
    /// It ends only with an error (a lost connection included); ``contactChanges(after:)`` resumes
    /// by itself.
    public func watchContactChanges(after: Int64) async throws -> RPCResponseStream<ContactChange> {
        var request = WatchContactChangesRequest()
        request.after = after
        return try await call(RosterMethods.watchContactChanges, request, timeout: nil)
    }

    /// Every contact change after `after`, live and without end, resuming by itself after a lost
    /// connection without missing or repeating a change (see ``RosterContactChanges``).
    ///
    ///     for try await change in client.contactChanges(after: savedCursor) {
    ///         if let contact = change.contact { cache[contact.id] = contact } else { cache[change.contactID] = nil }
    ///         savedCursor = change.cursor
    ///     }
    public func contactChanges(after: Int64) -> RosterContactChanges {
        RosterContactChanges(client: self, after: after)
    }

    /// One contact by id, mail or userPrincipalName; with `includeDirectoryValues`, each of its
    /// local overrides carries the directory's value beside it.
    public func getContact(
        _ lookup: GetContactRequest.Lookup,
        includeDirectoryValues: Bool = false,
        timeout: Duration? = nil
    ) async throws -> GetContactResponse {
        try await call(
            RosterMethods.getContact,
            GetContactRequest(lookup: lookup, includeDirectoryValues: includeDirectoryValues),
            timeout: timeout
        )
    }

    /// The contact with this id (the directory's object id).
    ///
    /// - Throws: ``RosterError`` NOT_FOUND when no synchronized contact has it; INVALID_ARGUMENT
    ///   when `id` is empty or longer than 256 characters.
    public func getContact(id: String, timeout: Duration? = nil) async throws -> Contact {
        try await contact(.id(id), timeout: timeout)
    }

    /// The contact with this mail address, or else this userPrincipalName (case ignored).
    ///
    /// - Throws: ``RosterError`` NOT_FOUND when no synchronized contact has it; INVALID_ARGUMENT
    ///   when `mail` is empty, longer than 256 characters or has no '@'.
    public func getContact(mail: String, timeout: Duration? = nil) async throws -> Contact {
        try await contact(.mail(mail), timeout: timeout)
    }

    /// The contact with this userPrincipalName (case ignored).
    ///
    /// - Throws: ``RosterError`` NOT_FOUND when no synchronized contact has it; INVALID_ARGUMENT
    ///   when `userPrincipalName` is empty, longer than 256 characters or has no '@'.
    public func getContact(userPrincipalName: String, timeout: Duration? = nil) async throws -> Contact {
        try await contact(.userPrincipalName(userPrincipalName), timeout: timeout)
    }

    private func contact(_ lookup: GetContactRequest.Lookup, timeout: Duration?) async throws -> Contact {
        guard let contact = try await getContact(lookup, timeout: timeout).contact else {
            throw RPCError(.internal, "the server answered GetContact without a contact")
        }
        return contact
    }

    /// The tenant's job history, newest first.
    public func listSyncJobs(limit: Int32 = 20, pageToken: String = "", timeout: Duration? = nil) async throws
        -> ListSyncJobsResponse
    {
        var request = ListSyncJobsRequest()
        request.limit = limit
        request.pageToken = pageToken
        return try await call(RosterMethods.listSyncJobs, request, timeout: timeout)
    }

    /// Changes the tenant's options; unset fields keep their value. Admin.
    public func updateSettings(_ request: UpdateSettingsRequest, timeout: Duration? = nil) async throws
        -> UpdateSettingsResponse
    {
        try await call(RosterMethods.updateSettings, request, timeout: timeout)
    }

    /// Mints an API key of your tenant; the answer's `token` is the key, shown this once. Admin.
    public func createAPIKey(
        role: Role,
        label: String,
        expiresUnixMs: Int64 = 0,
        timeout: Duration? = nil
    ) async throws -> CreateAPIKeyResponse {
        var request = CreateAPIKeyRequest()
        request.role = role
        request.label = label
        request.expiresUnixMs = expiresUnixMs
        return try await call(RosterMethods.createAPIKey, request, timeout: timeout)
    }

    /// Your tenant's API keys, revoked and expired ones included; never a token. Admin.
    public func listAPIKeys(timeout: Duration? = nil) async throws -> ListAPIKeysResponse {
        try await call(RosterMethods.listAPIKeys, ListAPIKeysRequest(), timeout: timeout)
    }

    /// Sets a local override of one contact field, replacing its earlier one: `.value(text)`
    /// makes reads show `text`, `.hidden(true)` makes the field read as empty. Syncs keep it.
    /// Admin, editor.
    ///
    ///     let contact = try await client.setContactOverride(contactID: id, field: "job_title", .value("CPO"))
    ///
    /// - Parameters:
    ///   - contactID: The contact's id.
    ///   - field: The field as proto/roster.proto names it: `job_title`, `business_phones` (the
    ///     numbers one a line), `extension_attributes.3`, `attributes.employeeId`.
    /// - Returns: The contact as reads now show it, with its overrides and their directory values.
    /// - Throws: ``RosterError`` NOT_FOUND for an unknown contact; INVALID_ARGUMENT naming a bad
    ///   field or value (empty, or longer than 1,024 characters); PERMISSION_DENIED for a reader key.
    public func setContactOverride(
        contactID: String,
        field: String,
        _ override: SetContactOverrideRequest.Override,
        timeout: Duration? = nil
    ) async throws -> Contact {
        let request = SetContactOverrideRequest(contactID: contactID, field: field, override: override)
        guard let contact = try await call(RosterMethods.setContactOverride, request, timeout: timeout).contact else {
            throw RPCError(.internal, "the server answered SetContactOverride without a contact")
        }
        return contact
    }

    /// Removes a contact field's local override, so reads show the directory's value again;
    /// clearing a field without one changes nothing. Admin, editor.
    ///
    /// - Returns: The contact as reads now show it, with its remaining overrides.
    /// - Throws: ``RosterError`` NOT_FOUND for an unknown contact; INVALID_ARGUMENT naming a bad field.
    public func clearContactOverride(contactID: String, field: String, timeout: Duration? = nil) async throws
        -> Contact
    {
        let request = ClearContactOverrideRequest(contactID: contactID, field: field)
        guard let contact = try await call(RosterMethods.clearContactOverride, request, timeout: timeout).contact
        else {
            throw RPCError(.internal, "the server answered ClearContactOverride without a contact")
        }
        return contact
    }

    /// Revokes one of your tenant's API keys. Admin.
    public func revokeAPIKey(id: String, timeout: Duration? = nil) async throws -> RevokeAPIKeyResponse {
        var request = RevokeAPIKeyRequest()
        request.id = id
        return try await call(RosterMethods.revokeAPIKey, request, timeout: timeout)
    }

    /// A contact's profile photo, looked up as ``getContact(_:timeout:)`` does. Pass the etag of
    /// the photo you hold (``Contact/photoEtag``, or the last answer's `etag`) as `ifNoneMatch`:
    /// when it is current the answer has `notModified` set and no bytes.
    ///
    /// - Throws: ``RosterError`` NOT_FOUND when there is no such contact or it has no photo;
    ///   INVALID_ARGUMENT for a lookup GetContact refuses.
    public func contactPhoto(
        _ lookup: GetContactRequest.Lookup,
        ifNoneMatch: String = "",
        timeout: Duration? = nil
    ) async throws -> GetContactPhotoResponse {
        try await call(
            RosterMethods.getContactPhoto,
            GetContactPhotoRequest(lookup: lookup, ifNoneMatch: ifNoneMatch),
            timeout: timeout
        )
    }
}

extension ListContactsRequest {
    /// A request for one page: `pageSize` is clamped to what the field holds.
    init(search: String, pageSize: Int, pageToken: String) {
        self.init()
        self.search = search
        self.pageSize = Int32(clamping: pageSize)
        self.pageToken = pageToken
    }
}
