/// Every call of `roster.v1.Roster` (proto/roster.proto). The one place a call's name and
/// message types are written: `RosterService` registers its handlers by these, `RosterClient`
/// calls by them, and ``ServiceCatalog`` lists them. A test checks that this list, the
/// service's router and proto/roster.proto agree.
public enum RosterMethods {
    /// The service's fully qualified name.
    public static let service = "roster.v1.Roster"

    public static let connectDirectory = UnaryMethod<ConnectDirectoryRequest, ConnectDirectoryResponse>(
        service: service,
        name: "ConnectDirectory"
    )
    public static let getStatus = UnaryMethod<GetStatusRequest, GetStatusResponse>(service: service, name: "GetStatus")
    public static let startSync = UnaryMethod<StartSyncRequest, StartSyncResponse>(service: service, name: "StartSync")
    public static let cancelSync = UnaryMethod<CancelSyncRequest, CancelSyncResponse>(
        service: service,
        name: "CancelSync"
    )
    public static let watchProgress = ServerStreamingMethod<WatchProgressRequest, ProgressUpdate>(
        service: service,
        name: "WatchProgress"
    )
    public static let listGroups = UnaryMethod<ListGroupsRequest, ListGroupsResponse>(
        service: service,
        name: "ListGroups"
    )
    public static let listContacts = UnaryMethod<ListContactsRequest, ListContactsResponse>(
        service: service,
        name: "ListContacts"
    )
    public static let getContact = UnaryMethod<GetContactRequest, GetContactResponse>(
        service: service,
        name: "GetContact"
    )
    public static let listSyncJobs = UnaryMethod<ListSyncJobsRequest, ListSyncJobsResponse>(
        service: service,
        name: "ListSyncJobs"
    )
    public static let updateSettings = UnaryMethod<UpdateSettingsRequest, UpdateSettingsResponse>(
        service: service,
        name: "UpdateSettings"
    )

    public static let createAPIKey = UnaryMethod<CreateAPIKeyRequest, CreateAPIKeyResponse>(
        service: service,
        name: "CreateApiKey"
    )
    public static let listAPIKeys = UnaryMethod<ListAPIKeysRequest, ListAPIKeysResponse>(
        service: service,
        name: "ListApiKeys"
    )
    public static let revokeAPIKey = UnaryMethod<RevokeAPIKeyRequest, RevokeAPIKeyResponse>(
        service: service,
        name: "RevokeApiKey"
    )
    public static let listContactChanges = UnaryMethod<ListContactChangesRequest, ListContactChangesResponse>(
        service: service,
        name: "ListContactChanges"
    )
    public static let watchContactChanges = ServerStreamingMethod<WatchContactChangesRequest, ContactChange>(
        service: service,
        name: "WatchContactChanges"
    )

    public static let setContactOverride = UnaryMethod<SetContactOverrideRequest, SetContactOverrideResponse>(
        service: service,
        name: "SetContactOverride"
    )
    public static let clearContactOverride = UnaryMethod<ClearContactOverrideRequest, ClearContactOverrideResponse>(
        service: service,
        name: "ClearContactOverride"
    )

    public static let getContactPhoto = UnaryMethod<GetContactPhotoRequest, GetContactPhotoResponse>(
        service: service,
        name: "GetContactPhoto"
    )

    /// Every method above, in proto/roster.proto's order.
    public static let all: [any RPCMethodDescriptor] = [
        connectDirectory, getStatus, startSync, cancelSync, watchProgress, listGroups, listContacts, getContact,
        listSyncJobs, updateSettings, createAPIKey, listAPIKeys, revokeAPIKey, getContactPhoto, listContactChanges,
        watchContactChanges, setContactOverride, clearContactOverride,
    ]
}
