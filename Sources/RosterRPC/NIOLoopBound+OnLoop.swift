internal import NIOCore

extension NIOLoopBound {
    /// Runs `body` with the value on its event loop: at once when already there, else on the
    /// loop's next tick. Callers on the loop (the usual case) pay no hop.
    func onLoop(_ body: @escaping @Sendable (Value) -> Void) {
        if eventLoop.inEventLoop {
            body(value)
        } else {
            eventLoop.execute { body(self.value) }
        }
    }
}
