internal import NIOCore

/// One call on the server side of a connection. Confined to the connection's event loop.
final class ServerStream {
    let id: UInt32
    let method: RPCRouter.Method
    let context: RPCServerContext
    /// The request message, once it has arrived.
    var request: ByteBuffer?
    /// The running handler.
    var task: Task<Void, Never>?
    /// Bytes of MESSAGE payload the client still lets us send.
    var sendWindow: Int
    /// A streaming handler waiting for window.
    var windowWaiter: CheckedContinuation<Void, any Error>?
    var deadlineTimer: Scheduled<Void>?
    /// Metadata bytes this call holds of the server-wide budget.
    let headerBytes: Int

    init(id: UInt32, method: RPCRouter.Method, context: RPCServerContext, sendWindow: Int, headerBytes: Int) {
        self.id = id
        self.method = method
        self.context = context
        self.sendWindow = sendWindow
        self.headerBytes = headerBytes
    }

    /// Lets a waiting streaming handler try again (window granted, or the channel writable again).
    func resumeWindowWaiter() {
        guard let waiter = windowWaiter else { return }
        windowWaiter = nil
        waiter.resume()
    }

    /// Stops everything the stream has running: its handler, its timer, a waiting writer.
    func stop(_ error: RPCError) {
        task?.cancel()
        deadlineTimer?.cancel()
        windowWaiter?.resume(throwing: error)
        windowWaiter = nil
    }
}
