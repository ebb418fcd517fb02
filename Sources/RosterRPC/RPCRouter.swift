internal import NIOCore
public import RosterWire

/// Maps method paths to handlers. Register every method before the server starts.
///
/// A handler runs as a Swift task that prefers its connection's event loop as executor, so a
/// call costs no thread hop unless the handler itself awaits something elsewhere. Handlers must
/// therefore never block: blocking work (files, SQLite) belongs on a thread pool.
public struct RPCRouter: Sendable {
    /// A registered method, with its messages' types erased.
    enum Method: Sendable {
        case unary(@Sendable (ByteBuffer, RPCServerContext, ProtoDecodingLimits) async throws -> any ProtoMessage)
        case serverStreaming(
            @Sendable (ByteBuffer, RPCServerContext, ProtoDecodingLimits, ResponseSink) async throws -> Void
        )
    }

    private(set) var methods: [String: Method] = [:]

    public init() {}

    /// The registered method paths, sorted.
    public var paths: [String] { methods.keys.sorted() }

    /// Registers a unary method: one request, one response.
    public mutating func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ path: String,
        _ request: Request.Type = Request.self,
        _ response: Response.Type = Response.self,
        handler: @escaping @Sendable (Request, RPCServerContext) async throws -> Response
    ) {
        methods[path] = .unary { bytes, context, limits in
            try await handler(try Self.decode(Request.self, bytes, limits), context)
        }
    }

    /// Registers a server-streaming method: one request, any number of responses.
    public mutating func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ path: String,
        _ request: Request.Type = Request.self,
        _ response: Response.Type = Response.self,
        handler: @escaping @Sendable (Request, RPCResponseWriter<Response>, RPCServerContext) async throws -> Void
    ) {
        methods[path] = .serverStreaming { bytes, context, limits, sink in
            try await handler(try Self.decode(Request.self, bytes, limits), RPCResponseWriter(sink: sink), context)
        }
    }

    /// Registers the handler of a declared unary method.
    public mutating func register<Request, Response>(
        _ method: UnaryMethod<Request, Response>,
        handler: @escaping @Sendable (Request, RPCServerContext) async throws -> Response
    ) {
        unary(method.path, handler: handler)
    }

    /// Registers the handler of a declared server-streaming method.
    public mutating func register<Request, Response>(
        _ method: ServerStreamingMethod<Request, Response>,
        handler: @escaping @Sendable (Request, RPCResponseWriter<Response>, RPCServerContext) async throws -> Void
    ) {
        serverStreaming(method.path, handler: handler)
    }

    private static func decode<M: ProtoMessage>(_ type: M.Type, _ bytes: ByteBuffer, _ limits: ProtoDecodingLimits)
        throws -> M
    {
        do {
            return try M(decoding: bytes, limits: limits)
        } catch {
            throw RPCError(.invalidArgument, "the request is not a valid \(M.protoMessageName): \(error)")
        }
    }
}

/// Sends a server-streaming call's responses, waiting for flow-control credit when the client
/// has not read what was sent.
public struct RPCResponseWriter<Response: ProtoMessage>: Sendable {
    let sink: ResponseSink

    /// Sends one response. Suspends while the client's window is spent; throws when the call
    /// has been cancelled or its connection lost.
    public func write(_ response: Response) async throws {
        try await sink.send(response)
    }
}
