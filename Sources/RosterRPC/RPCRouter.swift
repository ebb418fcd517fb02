internal import NIOCore
public import RosterWire

/// Maps method paths to handlers. Register every method before the server starts.
///
/// A handler runs as a Swift task that prefers its connection's event loop as executor, so a
/// call costs no thread hop unless the handler itself awaits something elsewhere. Handlers must
/// therefore never block: blocking work (files, SQLite) belongs on a thread pool. A unary method
/// whose response can be large is registered to run on background threads instead
/// (``Placement/background``).
public struct RPCRouter: Sendable {
    /// Where a unary method's handler runs, and its response is encoded.
    public enum Placement: Sendable {
        /// On the connection's event loop (the default): no thread hop. For handlers whose own
        /// work is small; awaiting the store or another service is fine.
        case eventLoop
        /// On the server's background threads, at a lower CPU priority than the event loops, the
        /// response's encoding and release included: for methods whose response can be large (a
        /// page of 1,000 contacts). Building, encoding and freeing it takes milliseconds that
        /// would otherwise hold up every connection of the event loop, and, when the CPU is
        /// short, the small calls of every connection.
        case background
    }

    /// A registered method, with its messages' types erased.
    enum Method: Sendable {
        case unary(
            @Sendable (ByteBuffer, RPCServerContext, ProtoDecodingLimits) async throws -> any ProtoMessage,
            Placement
        )
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
        runsOn placement: Placement = .eventLoop,
        handler: @escaping @Sendable (Request, RPCServerContext) async throws -> Response
    ) {
        methods[path] = .unary(
            { bytes, context, limits in try await handler(try Self.decode(Request.self, bytes, limits), context) },
            placement
        )
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
        runsOn placement: Placement = .eventLoop,
        handler: @escaping @Sendable (Request, RPCServerContext) async throws -> Response
    ) {
        unary(method.path, runsOn: placement, handler: handler)
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
