internal import Logging
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
    /// When its HEADERS arrived: the start of the call's duration metric.
    let openedAt: NIODeadline
    /// The connection's logger, whose metadata the call's logger extends.
    private let connectionLogger: Logger
    /// The call's logger: the connection's, with the call's request id. Made on first use, so a
    /// call about which nothing is logged costs no metadata copy.
    lazy var logger: Logger = {
        var logger = connectionLogger
        logger[rpc: .requestID] = .string(context.requestID)
        return logger
    }()

    init(
        id: UInt32,
        method: RPCRouter.Method,
        context: RPCServerContext,
        sendWindow: Int,
        headerBytes: Int,
        openedAt: NIODeadline,
        logger: Logger
    ) {
        self.id = id
        self.method = method
        self.context = context
        self.sendWindow = sendWindow
        self.headerBytes = headerBytes
        self.openedAt = openedAt
        self.connectionLogger = logger
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
