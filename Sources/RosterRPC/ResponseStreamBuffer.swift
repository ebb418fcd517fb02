internal import NIOCore
internal import Synchronization

/// The messages of one server-streaming call, between the event loop that receives them and the
/// task that reads them. Returns credit to the server as the reader consumes messages, so a
/// reader that stops reading stops the server (flow control, not buffering).
final class ResponseStreamBuffer: Sendable {
    private struct State {
        var messages: [ByteBuffer] = []
        var next = 0
        var finished = false
        var error: RPCError?
        var waiter: CheckedContinuation<Void, Never>?
        var unreturnedCredit = 0
    }

    private let state = Mutex(State())
    /// Credit is returned once this many bytes have been consumed: half the window.
    private let creditThreshold: Int
    /// Sends a WINDOW_UPDATE; set once the stream is open.
    let returnCredit: @Sendable (Int) -> Void

    init(window: Int, returnCredit: @escaping @Sendable (Int) -> Void) {
        self.creditThreshold = max(window / 2, 1)
        self.returnCredit = returnCredit
    }

    /// On the event loop: one more message arrived.
    func append(_ message: ByteBuffer) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.messages.append(message)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// On the event loop: the call ended, with an error unless OK.
    func finish(_ error: RPCError?) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.finished else { return nil }
            state.finished = true
            state.error = error
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The next message, nil at the end; throws the call's error.
    func next() async throws -> ByteBuffer? {
        while true {
            enum Step { case message(ByteBuffer, credit: Int), end(RPCError?), wait }
            let step = state.withLock { state -> Step in
                if state.next < state.messages.count {
                    let message = state.messages[state.next]
                    state.next += 1
                    if state.next == state.messages.count {
                        state.messages.removeAll(keepingCapacity: true)
                        state.next = 0
                    }
                    state.unreturnedCredit += message.readableBytes
                    var credit = 0
                    if state.unreturnedCredit >= creditThreshold, !state.finished {
                        credit = state.unreturnedCredit
                        state.unreturnedCredit = 0
                    }
                    return .message(message, credit: credit)
                }
                return state.finished ? .end(state.error) : .wait
            }
            switch step {
            case .message(let message, let credit):
                if credit > 0 { returnCredit(credit) }
                return message
            case .end(let error):
                if let error { throw error }
                return nil
            case .wait:
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool in
                        if state.next < state.messages.count || state.finished { return true }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }
}
