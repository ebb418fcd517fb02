public import RosterWire

/// The responses of a server-streaming call, in order. The call ends when the sequence ends;
/// an error status is thrown from `next()`. Dropping the sequence (or cancelling the task that
/// reads it) before the end cancels the call on the server.
public struct RPCResponseStream<Response: ProtoMessage>: AsyncSequence, Sendable {
    public typealias Element = Response

    let call: StreamingCall

    public struct AsyncIterator: AsyncIteratorProtocol {
        let call: StreamingCall

        public mutating func next() async throws -> Response? {
            try await call.next()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(call: call)
    }
}

/// Owns one streaming call on the client: reading its buffer, cancelling it when abandoned.
final class StreamingCall: Sendable {
    private let buffer: ResponseStreamBuffer
    private let cancel: @Sendable () -> Void

    init(buffer: ResponseStreamBuffer, cancel: @escaping @Sendable () -> Void) {
        self.buffer = buffer
        self.cancel = cancel
    }

    deinit {
        // Harmless when the call already ended: the connection has forgotten the stream.
        cancel()
    }

    func next<Response: ProtoMessage>() async throws -> Response? {
        let message = try await withTaskCancellationHandler {
            try await buffer.next()
        } onCancel: {
            cancel()
        }
        guard let message else { return nil }
        do {
            return try Response(decoding: message)
        } catch {
            cancel()
            throw RPCError(.internal, "a response is not a valid \(Response.protoMessageName): \(error)")
        }
    }
}
