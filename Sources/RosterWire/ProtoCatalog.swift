/// Every message type of `proto/roster.proto`, `proto/rpc.proto`, `proto/health.proto` and `proto/reflection.proto`,
/// by its fully qualified
/// protobuf name. Tests and fuzzers use it to reach each codec by name. The benchmark's
/// `proto/bench.proto` has its own catalog in the bench tools' `RosterBenchMessages`.
public enum ProtoCatalog {
    public static let messageTypes: [String: any ProtoMessage.Type] = {
        let types: [any ProtoMessage.Type] = [
            // roster.proto
            Contact.self, Group.self, SyncScope.self, ProgressCounters.self, ConfirmationSummary.self, SyncJob.self,
            PlanEntry.self, DryRunPlan.self, TenantSettings.self, AttributeList.self,
            ConnectDirectoryRequest.self, ConnectDirectoryResponse.self, GetStatusRequest.self, GetStatusResponse.self,
            StartSyncRequest.self, StartSyncResponse.self, CancelSyncRequest.self, CancelSyncResponse.self,
            WatchProgressRequest.self, ProgressUpdate.self, ListGroupsRequest.self, ListGroupsResponse.self,
            ListContactsRequest.self, ListContactsResponse.self, GetContactRequest.self, GetContactResponse.self,
            ListSyncJobsRequest.self, ListSyncJobsResponse.self, UpdateSettingsRequest.self,
            UpdateSettingsResponse.self,
            APIKey.self, CreateAPIKeyRequest.self, CreateAPIKeyResponse.self, ListAPIKeysRequest.self,
            ListAPIKeysResponse.self, RevokeAPIKeyRequest.self, RevokeAPIKeyResponse.self,
            GetContactPhotoRequest.self, GetContactPhotoResponse.self,
            ContactChange.self, ListContactChangesRequest.self, ListContactChangesResponse.self,
            WatchContactChangesRequest.self,
            ContactOverride.self, SetContactOverrideRequest.self, SetContactOverrideResponse.self,
            ClearContactOverrideRequest.self, ClearContactOverrideResponse.self,
            // rpc.proto
            RPCMessages.CallHeaders.self, RPCMessages.Status.self, RPCMessages.StatusDetail.self,
            RPCMessages.Settings.self, RPCMessages.GoAway.self,
            // health.proto
            HealthCheckRequest.self, HealthCheckResponse.self,
            // reflection.proto
            GetFileDescriptorSetRequest.self, GetFileDescriptorSetResponse.self,
        ]
        return Dictionary(uniqueKeysWithValues: types.map { ($0.protoMessageName, $0) })
    }()
}
