internal import NIOCore
internal import NIOPosix

/// The task executor of work that can be large (building and encoding a page of 1,000 contacts):
/// threads of its own, so that the work never holds up an event loop's I/O.
///
/// How much of it runs at once is bounded by ``BackgroundCallGate``, not by the threads. Their
/// CPU priority is the event loops': a lower one (nice 10) was tried and made things worse, as
/// event loops then waited on locks (the pool's queue, malloc's arenas) held by a preempted
/// background thread.
final class BackgroundExecutor: TaskExecutor {
    /// One per process, like NIO's singleton event loop group: as many threads as cores.
    static let shared = BackgroundExecutor(threads: System.coreCount)

    private let pool: NIOThreadPool

    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // The shared pool is never stopped, so every job runs (a job that never ran would leave its task hanging).
        pool.submit { _ in job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
