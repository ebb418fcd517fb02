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
        guard connection.eventLoop.inEventLoop else {
            return try await withTaskExecutorPreference(executor) { try await send(message) }
        }
        while true {
            switch try connection.value.trySend(message, on: streamID) {
            case .sent:
                return
            case .sentAndFlushed:
                await Task.yield()  // let the loop read WINDOW_UPDATEs and serve other connections
                return
            case .needsWindow:
                try await connection.value.waitForWindow(streamID)
            }
        }
    }
}
