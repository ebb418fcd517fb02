package import RosterRPC
internal import RosterWire

extension RosterService {
    /// The built-in schema as the reflection call answers it, decoded once.
    private static let descriptorSet: GetFileDescriptorSetResponse = {
        do {
            return try GetFileDescriptorSetResponse(decoding: BuiltInDescriptorSet.bytes)
        } catch {
            fatalError("the built-in FileDescriptorSet does not decode (\(error)); run scripts/descriptor-set.sh")
        }
    }()

    /// Registers `roster.reflection.v1.Reflection` (``ReflectionMethods``) on `router`: the
    /// FileDescriptorSet of the .proto files this server speaks, to any valid API key (any role).
    /// The schema is public, but the server tells it only to its tenants' keys, as it does every
    /// call but health.
    package func registerReflection(into router: inout RPCRouter) {
        router.register(ReflectionMethods.getFileDescriptorSet) { [self] _, context in
            _ = try await caller(context)
            return Self.descriptorSet
        }
    }
}
