public import RosterWire

// The typed method of `roster.reflection.v1.Reflection` (proto/reflection.proto).
extension RosterClient {
    /// The FileDescriptorSet of the .proto files the server speaks (any valid key): what
    /// `roster describe` and `roster call` read the server's methods and messages from.
    public func getFileDescriptorSet() async throws -> GetFileDescriptorSetResponse {
        try await call(ReflectionMethods.getFileDescriptorSet, GetFileDescriptorSetRequest())
    }
}
