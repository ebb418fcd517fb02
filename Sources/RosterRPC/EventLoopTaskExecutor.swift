internal import NIOCore

/// A task executor that runs jobs on one NIO event loop.
///
/// Call handlers and client calls prefer it, so a call's async code runs on the thread that does
/// the connection's I/O: no hop between the event loop and Swift's cooperative pool per call.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
