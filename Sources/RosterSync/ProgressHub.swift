internal import RosterStore
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
    /// How often watchers are offered a job's values.
    package struct Pacing: Sendable, Hashable {
        /// The least time between two offers within one phase; zero offers every value at once.
        package var interval: Duration
        /// Beyond this many watchers of a job, the interval grows in proportion (so that sending
        /// progress never takes the job's CPU: 10,000 watchers at 500 per 100 ms get a value every 2 s).
        package var watchersPerInterval: Int

        package init(interval: Duration, watchersPerInterval: Int = 500) {
            self.interval = interval
            self.watchersPerInterval = max(1, watchersPerInterval)
        }

        /// Every value offered at once (tests, and callers that pace themselves).
        package static let none = Pacing(interval: .zero)

        func interval(watchers: Int) -> Duration {
            interval * max(1, Double(watchers) / Double(watchersPerInterval))
        }
    }

    /// How many finished jobs keep their final value for late watchers; the oldest go first.
    package let finishedJobsKept: Int
    /// How often watchers are offered values.
    package let pacing: Pacing

    private let state = Mutex(State())
    private let clock = ContinuousClock()

    /// An empty hub keeping the final values of up to `finishedJobsKept` finished jobs (default
    /// 1,000), offering values as `pacing` says (default: each at once).
    package init(finishedJobsKept: Int = 1_000, pacing: Pacing = .none) {
        self.finishedJobsKept = max(1, finishedJobsKept)
        self.pacing = pacing
    }

    // MARK: - Publishing

    /// Makes `progress` the newest value of its job and offers it to every watcher. A final value
    /// (`progress.isFinal`) ends the watchers' sequences after it; values published after a final
    /// value are ignored.
    package func publish(_ progress: SyncProgress) {
        let now = clock.now
        let flushAfter = state.withLock { state -> Duration? in
            let job = progress.jobID
            if state.channels[job] == nil { state.channels[job] = Channel(latest: progress) }
            // Optional chaining modifies the channel in place: copying it out would copy its
            // watcher table on the first write.
            switch state.channels[job]?.publish(progress, now: now, pacing: pacing) ?? .ignored {
            case .ignored:
                return nil
            case .held(let flushAfter):
                return flushAfter
            case .offered:
                if progress.isFinal {
                    state.finishedOrder.append(job)
                    if state.finishedOrder.count > finishedJobsKept {
                        state.channels[state.finishedOrder.removeFirst()] = nil
                    }
                }
                return nil
            }
        }
        if let flushAfter {
            // One trailing offer per job and interval, so the newest value always reaches the watchers.
            Task { [self] in
                try? await Task.sleep(for: flushAfter)
                flush(job: progress.jobID)
            }
        }
    }

    /// Offers a job's newest value if it was held back by the pacing.
    private func flush(job: String) {
        let now = clock.now
        state.withLock { state in
            state.channels[job]?.flush(now: now)
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
        /// The value last offered to the watchers, and when (pacing).
        var offered: SyncProgress?
        var offeredAt: ContinuousClock.Instant?
        /// A trailing offer of `latest` is scheduled (pacing).
        var flushScheduled = false

        /// What ``publish(_:now:pacing:)`` did.
        enum PublishOutcome {
            /// The job had finished: nothing changed.
            case ignored
            /// Offered to the watchers now.
            case offered
            /// Held back by the pacing; the caller schedules the trailing offer after `flushAfter`
            /// (nil: one is scheduled already).
            case held(flushAfter: Duration?)
        }

        /// Stores `progress` and offers it to the watchers now, or holds it for a trailing offer
        /// when the pacing says so (a phase or state change and the final value go at once).
        mutating func publish(_ progress: SyncProgress, now: ContinuousClock.Instant, pacing: Pacing) -> PublishOutcome
        {
            guard !isFinished else { return .ignored }
            latest = progress
            isFinished = progress.isFinal
            let interval = pacing.interval(watchers: watchers.count)
            let samePhase = offered.map { $0.phase == progress.phase && $0.state == progress.state } ?? false
            if !progress.isFinal, samePhase, interval > .zero, let offeredAt, now < offeredAt.advanced(by: interval) {
                guard !flushScheduled else { return .held(flushAfter: nil) }
                flushScheduled = true
                return .held(flushAfter: offeredAt.advanced(by: interval) - now)
            }
            offer(progress, now: now)
            return .offered
        }

        /// The trailing offer: `latest`, unless it was offered already.
        mutating func flush(now: ContinuousClock.Instant) {
            flushScheduled = false
            guard offered != latest else { return }
            offer(latest, now: now)
        }

        /// Hands `progress` to every watcher (waiting, or into its slot).
        private mutating func offer(_ progress: SyncProgress, now: ContinuousClock.Instant) {
            offered = progress
            offeredAt = now
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
