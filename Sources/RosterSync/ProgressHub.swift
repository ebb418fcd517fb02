package import RosterStore
import Synchronization

/// The newest ``SyncProgress`` of every job, fanned out to any number of watchers.
///
/// Each watcher holds one slot: the newest unread value of each phase it has not read yet (so a
/// reader that paces itself still sees every phase change). Publishing overwrites the slot's last
/// value when the phase and state are the same, appends otherwise (or hands the value to a watcher
/// already waiting), so a stalled watcher costs at most one value per phase (six) and never slows
/// the publisher; publishing is one pass over the job's watchers under one
/// lock, and never suspends. A job's final value ends every watcher's sequence after it is read,
/// and stays in the hub (up to ``finishedJobsKept`` jobs) so a late watcher still gets it.
package final class ProgressHub: Sendable {
    /// How many finished jobs keep their final value for late watchers; the oldest go first.
    package let finishedJobsKept: Int

    private let state = Mutex(State())

    /// An empty hub keeping the final values of up to `finishedJobsKept` finished jobs (default 1,000).
    package init(finishedJobsKept: Int = 1_000) {
        self.finishedJobsKept = max(1, finishedJobsKept)
    }

    // MARK: - Publishing

    /// Makes `progress` the newest value of its job and offers it to every watcher. A final value
    /// (`progress.isFinal`) ends the watchers' sequences after it; values published after a final
    /// value are ignored.
    package func publish(_ progress: SyncProgress) {
        state.withLock { state in
            let job = progress.jobID
            if state.channels[job] == nil { state.channels[job] = Channel(latest: progress) }
            // Optional chaining modifies the channel in place: copying it out would copy its
            // watcher table on the first write.
            guard state.channels[job]?.publish(progress) == true, progress.isFinal else { return }
            state.finishedOrder.append(job)
            if state.finishedOrder.count > finishedJobsKept {
                state.channels[state.finishedOrder.removeFirst()] = nil
            }
        }
    }

    /// The newest value of `job`, or nil when the hub does not know it.
    package func latest(job: String) -> SyncProgress? {
        state.withLock { $0.channels[job]?.latest }
    }

    // MARK: - Watching

    /// The job's values as they come: the first is the state when iteration starts, then each newer
    /// one (intermediate values a slow reader missed are skipped), ending after the final value.
    /// Nil when the hub does not know the job.
    package func watch(job: String) -> Updates? {
        state.withLock { $0.channels[job] == nil } ? nil : Updates(hub: self, job: job)
    }

    /// Returns when `job`'s newest value has another phase or state than those given, or is final,
    /// or the job is unknown, or the calling task is cancelled. A reader that paces its updates
    /// waits on this beside its timer, so a phase change or the end is never held back.
    package func waitForChange(job: String, from phase: JobPhase?, state expected: JobState) async {
        let id = state.withLock { hub -> UInt64 in
            hub.nextWatcher += 1
            return hub.nextWatcher
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { hub -> Bool in
                    guard let channel = hub.channels[job], !channel.isFinished, !Task.isCancelled,
                        channel.latest.phase == phase, channel.latest.state == expected
                    else { return false }
                    hub.channels[job]?.changeWaiters[id] = (phase, expected, continuation)
                    return true
                }
                if !waiting { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.channels[job]?.changeWaiters.removeValue(forKey: id) }
            waiter?.continuation.resume()
        }
    }

    /// How many watchers `job` has (for tests and metrics).
    package func watcherCount(job: String) -> Int {
        state.withLock { $0.channels[job]?.watchers.count ?? 0 }
    }

    /// A job's values; see ``ProgressHub/watch(job:)``.
    package struct Updates: AsyncSequence, Sendable {
        package typealias Element = SyncProgress
        package typealias Failure = Never

        let hub: ProgressHub
        let job: String

        package func makeAsyncIterator() -> Iterator {
            Iterator(registration: Registration(hub: hub, job: job))
        }

        /// Reads the watcher's slot; dropping the iterator frees the slot.
        package struct Iterator: AsyncIteratorProtocol {
            let registration: Registration

            package mutating func next(isolation actor: isolated (any Actor)? = #isolation) async -> SyncProgress? {
                await registration.hub.next(job: registration.job, watcher: registration.id)
            }

            package mutating func next() async -> SyncProgress? {
                await next(isolation: nil)
            }

            /// The newest unread value if one is waiting, without suspending (a reader that paced
            /// itself takes what came meanwhile).
            package mutating func poll() -> SyncProgress? {
                registration.hub.poll(job: registration.job, watcher: registration.id)
            }
        }
    }

    /// One watcher's registration; unregisters when the last iterator copy goes away.
    final class Registration: Sendable {
        let hub: ProgressHub
        let job: String
        let id: UInt64

        init(hub: ProgressHub, job: String) {
            self.hub = hub
            self.job = job
            self.id = hub.register(job: job)
        }

        deinit { hub.unregister(job: job, watcher: id) }
    }

    // MARK: - State

    /// One watcher's slot: the unread values (the newest of each phase, oldest first), or the
    /// continuation of a reader waiting for one.
    private struct Slot {
        var pending: [SyncProgress] = []
        var waiting: CheckedContinuation<SyncProgress?, Never>?

        /// Keeps `progress`: it replaces the last unread value of the same phase and state.
        mutating func keep(_ progress: SyncProgress) {
            if let last = pending.last, last.phase == progress.phase, last.state == progress.state {
                pending[pending.count - 1] = progress
            } else {
                pending.append(progress)
            }
        }

        /// The oldest unread value.
        mutating func take() -> SyncProgress? {
            pending.isEmpty ? nil : pending.removeFirst()
        }
    }

    private struct Channel {
        var latest: SyncProgress
        var isFinished = false
        var watchers: [UInt64: Slot] = [:]
        /// Readers pacing themselves, woken when the phase or state leaves the one they hold.
        var changeWaiters: [UInt64: (phase: JobPhase?, state: JobState, continuation: CheckedContinuation<Void, Never>)] = [:]

        /// Stores `progress` and offers it to every watcher; false (and nothing changes) once finished.
        mutating func publish(_ progress: SyncProgress) -> Bool {
            guard !isFinished else { return false }
            latest = progress
            isFinished = progress.isFinal
            // Walk by index and write through `values`, which never reallocates the table.
            var index = watchers.startIndex
            while index != watchers.endIndex {
                if let waiting = watchers.values[index].waiting {
                    watchers.values[index].waiting = nil
                    waiting.resume(returning: progress)
                } else {
                    watchers.values[index].keep(progress)
                }
                watchers.formIndex(after: &index)
            }
            if !changeWaiters.isEmpty {
                for (id, waiter) in changeWaiters
                where progress.isFinal || waiter.phase != progress.phase || waiter.state != progress.state {
                    changeWaiters[id] = nil
                    waiter.continuation.resume()
                }
            }
            return true
        }
    }

    private struct State {
        var channels: [String: Channel] = [:]
        var finishedOrder: [String] = []
        var nextWatcher: UInt64 = 0
    }

    /// Adds a watcher whose first value is the job's newest; an unknown (or evicted) job ends at once.
    private func register(job: String) -> UInt64 {
        state.withLock { state in
            state.nextWatcher += 1
            let id = state.nextWatcher
            if let latest = state.channels[job]?.latest {
                state.channels[job]?.watchers[id] = Slot(pending: [latest])
            }
            return id
        }
    }

    private func unregister(job: String, watcher: UInt64) {
        let waiting = state.withLock { $0.channels[job]?.watchers.removeValue(forKey: watcher)?.waiting }
        waiting?.resume(returning: nil)
    }

    private func poll(job: String, watcher: UInt64) -> SyncProgress? {
        state.withLock { state in
            state.channels[job]?.watchers[watcher]?.take()
        }
    }

    private func next(job: String, watcher: UInt64) async -> SyncProgress? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<SyncProgress?, Never>) in
                state.withLock { state in
                    guard let slot = state.channels[job]?.watchers[watcher] else {
                        return continuation.resume(returning: nil)
                    }
                    if !slot.pending.isEmpty, let pending = state.channels[job]?.watchers[watcher]?.take() {
                        return continuation.resume(returning: pending)
                    }
                    if state.channels[job]?.isFinished == true || Task.isCancelled {
                        state.channels[job]?.watchers[watcher] = nil
                        return continuation.resume(returning: nil)
                    }
                    state.channels[job]?.watchers[watcher]?.waiting = continuation
                }
            }
        } onCancel: {
            unregister(job: job, watcher: watcher)
        }
    }
}
