/// A call of a service, declared once: its path and its message types. The router registers
/// handlers by it, the client calls by it and the catalog lists it, so a call's name and types
/// are spelled in one place (``RosterMethods``).
public protocol RPCMethodDescriptor: Sendable {
    /// The request message.
    associatedtype Request: ProtoMessage
    /// The response message (each of them, for a server-streaming call).
    associatedtype Response: ProtoMessage

    /// The fully qualified service, e.g. `roster.v1.Roster`.
    var service: String { get }
    /// The method's name in the service, e.g. `StartSync`.
    var name: String { get }
    /// True when the server answers with any number of responses (`returns (stream …)`).
    var streamsResponses: Bool { get }
}

extension RPCMethodDescriptor {
    /// The path that HEADERS carry: `/<service>/<name>`.
    public var path: String { "/\(service)/\(name)" }
}

/// A method with one request and one response.
public struct UnaryMethod<Request: ProtoMessage, Response: ProtoMessage>: RPCMethodDescriptor {
    public let service: String
    public let name: String
    public var streamsResponses: Bool { false }

    public init(service: String, name: String) {
        self.service = service
        self.name = name
    }
}

/// A method with one request and any number of responses.
public struct ServerStreamingMethod<Request: ProtoMessage, Response: ProtoMessage>: RPCMethodDescriptor {
    public let service: String
    public let name: String
    public var streamsResponses: Bool { true }

    public init(service: String, name: String) {
        self.service = service
        self.name = name
    }
}
