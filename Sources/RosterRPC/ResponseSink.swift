internal import NIOCore
internal import RosterWire

/// Where a streaming handler's responses go: its stream on its connection.
///
/// Sendable because every use of the connection handler happens on the handler's event loop:
/// `send` runs there directly when the task is already on that loop (the usual case, since
/// handlers prefer the loop as executor) and moves there first otherwise.
public final class ResponseSink: Sendable {
    private let connection: NIOLoopBound<ServerConnectionHandler>
    private let executor: EventLoopTaskExecutor
    private let streamID: UInt32

    init(connection: NIOLoopBound<ServerConnectionHandler>, executor: EventLoopTaskExecutor, streamID: UInt32) {
        self.connection = connection
        self.executor = executor
        self.streamID = streamID
    }

    func send<M: ProtoMessage>(_ message: M) async throws {
        if connection.eventLoop.inEventLoop {
            try await connection.value.send(message, on: streamID)
        } else {
            try await withTaskExecutorPreference(executor) {
                try await connection.value.send(message, on: streamID)
            }
        }
    }
}
