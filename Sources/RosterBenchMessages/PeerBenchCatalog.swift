public import RosterWire

/// The messages and methods of `proto/bench.proto`, kept beside RosterWire's catalogs (which list
/// only `roster.proto` and `rpc.proto`, what the product speaks).
public enum PeerBenchCatalog {
    /// `peerbench.Directory/ListGroups`, unary.
    public static let listGroups = ServiceCatalog.Method(
        path: "/peerbench.Directory/ListGroups",
        request: PeerBench.ListGroupsRequest.self,
        response: PeerBench.ListGroupsResponse.self,
        streamsResponses: false
    )
    /// `peerbench.Directory/WatchProgress`, server streaming.
    public static let watchProgress = ServiceCatalog.Method(
        path: "/peerbench.Directory/WatchProgress",
        request: PeerBench.WatchProgressRequest.self,
        response: PeerBench.ProgressUpdate.self,
        streamsResponses: true
    )

    /// Every method of `peerbench.Directory`, by path (as ``ServiceCatalog/methods``).
    public static let methods: [String: ServiceCatalog.Method] = [
        listGroups.path: listGroups, watchProgress.path: watchProgress,
    ]

    /// Every message type of `proto/bench.proto`, by its fully qualified protobuf name (as
    /// ``ProtoCatalog/messageTypes``).
    public static let messageTypes: [String: any ProtoMessage.Type] = {
        let types: [any ProtoMessage.Type] = [
            PeerBench.ListGroupsRequest.self, PeerBench.Group.self, PeerBench.ListGroupsResponse.self,
            PeerBench.WatchProgressRequest.self, PeerBench.ProgressUpdate.self,
        ]
        return Dictionary(uniqueKeysWithValues: types.map { ($0.protoMessageName, $0) })
    }()
}
