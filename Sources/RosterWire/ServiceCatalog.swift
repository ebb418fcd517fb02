/// The methods of the Roster service (`proto/roster.proto`), with their request and response message types.
public enum ServiceCatalog {
    /// One RPC method.
    public struct Method: Sendable {
        /// The path that HEADERS carry, e.g. `/roster.v1.Roster/StartSync`.
        public var path: String
        public var request: any ProtoMessage.Type
        public var response: any ProtoMessage.Type
        /// True for server-streaming methods.
        public var streamsResponses: Bool

        public init(path: String, request: any ProtoMessage.Type, response: any ProtoMessage.Type, streamsResponses: Bool) {
            self.path = path
            self.request = request
            self.response = response
            self.streamsResponses = streamsResponses
        }
    }

    /// Every method of `roster.v1.Roster`, by path. (The benchmark's `peerbench.Directory` is in
    /// the bench tools' `RosterBenchMessages`.)
    public static let methods: [String: Method] = {
        func roster(_ name: String, _ request: any ProtoMessage.Type, _ response: any ProtoMessage.Type, streaming: Bool = false) -> Method {
            Method(path: "/roster.v1.Roster/\(name)", request: request, response: response, streamsResponses: streaming)
        }
        let all = [
            roster("ConnectDirectory", ConnectDirectoryRequest.self, ConnectDirectoryResponse.self),
            roster("GetStatus", GetStatusRequest.self, GetStatusResponse.self),
            roster("StartSync", StartSyncRequest.self, StartSyncResponse.self),
            roster("CancelSync", CancelSyncRequest.self, CancelSyncResponse.self),
            roster("WatchProgress", WatchProgressRequest.self, ProgressUpdate.self, streaming: true),
            roster("ListGroups", ListGroupsRequest.self, ListGroupsResponse.self),
            roster("ListContacts", ListContactsRequest.self, ListContactsResponse.self),
            roster("GetContact", GetContactRequest.self, GetContactResponse.self),
            roster("ListSyncJobs", ListSyncJobsRequest.self, ListSyncJobsResponse.self),
            roster("UpdateSettings", UpdateSettingsRequest.self, UpdateSettingsResponse.self),
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.path, $0) })
    }()
}
