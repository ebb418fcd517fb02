/// The methods rosterd serves (`proto/roster.proto`, `proto/health.proto`, `proto/reflection.proto`), with their
/// request and response message types.
public enum ServiceCatalog {
    /// One RPC method.
    public struct Method: Sendable {
        /// The path that HEADERS carry, e.g. `/roster.v1.Roster/StartSync`.
        public var path: String
        public var request: any ProtoMessage.Type
        public var response: any ProtoMessage.Type
        /// True for server-streaming methods.
        public var streamsResponses: Bool

        /// The catalog entry of a declared method.
        public init<M: RPCMethodDescriptor>(_ method: M) {
            self.init(
                path: method.path,
                request: M.Request.self,
                response: M.Response.self,
                streamsResponses: method.streamsResponses
            )
        }

        public init(
            path: String,
            request: any ProtoMessage.Type,
            response: any ProtoMessage.Type,
            streamsResponses: Bool
        ) {
            self.path = path
            self.request = request
            self.response = response
            self.streamsResponses = streamsResponses
        }
    }

    /// Every method of `roster.v1.Roster`, `roster.health.v1.Health` and `roster.reflection.v1.Reflection`, by path.
    /// (The benchmark's `peerbench.Directory` is in the bench tools' `RosterBenchMessages`.)
    public static let methods: [String: Method] = {
        func entry(_ method: any RPCMethodDescriptor) -> Method { Method(method) }
        let all = (RosterMethods.all + HealthMethods.all + ReflectionMethods.all).map(entry)
        return Dictionary(uniqueKeysWithValues: all.map { ($0.path, $0) })
    }()
}
