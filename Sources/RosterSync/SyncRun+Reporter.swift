import RosterDirectory
import RosterStore
import Synchronization

extension SyncRun {
    /// The run's job record and the progress around it, published to the hub at every change.
    ///
    /// A class behind a `Mutex` because the directory reports throttling waits from its own tasks
    /// (``GraphDirectory/Configuration/onThrottle``) while the run goes on.
    final class Reporter: Sendable {
        private struct State {
            var job: SyncJobRecord
            var extras: Extras
        }

        /// What the progress shows beyond the job record's columns.
        struct Extras {
            var message: String
            var throttleWaitMilliseconds: Int64?
            var plan: ApplyPlan?
            var summary: String?
            var error: SyncError?
        }

        private let state: Mutex<State>
        private let interrupted = Mutex(false)
        private let hub: ProgressHub
        private let now: @Sendable () -> Int64

        init(job: SyncJobRecord, hub: ProgressHub, now: @escaping @Sendable () -> Int64) {
            self.state = Mutex(State(job: job, extras: Extras(message: "queued")))
            self.hub = hub
            self.now = now
        }

        /// Whether the job is being stopped because the server shuts down (its task is then
        /// cancelled, and the job ends INTERRUPTED rather than CANCELLED).
        var isInterrupted: Bool { interrupted.withLock { $0 } }

        /// Marks the job as stopped by a shutdown; cancel its task afterwards.
        func markInterrupted() { interrupted.withLock { $0 = true } }

        /// The job record as it stands.
        var job: SyncJobRecord { state.withLock { $0.job } }

        /// The progress value as it stands.
        var progress: SyncProgress { state.withLock { Self.progress(of: $0, now: now()) } }

        /// Changes the record and the extras, then publishes the result unless the job is final
        /// (the job manager publishes the final value once the job is off its books).
        func update(_ body: (inout SyncJobRecord, inout Extras) -> Void) {
            let progress = state.withLock { state in
                body(&state.job, &state.extras)
                return Self.progress(of: state, now: now())
            }
            if !progress.isFinal { hub.publish(progress) }
        }

        /// Shows a throttling wait; the next page's update clears it.
        func throttled(_ wait: GraphDirectory.ThrottleWait) {
            let milliseconds = Self.milliseconds(wait.duration)
            update { _, extras in
                extras.throttleWaitMilliseconds = milliseconds
                extras.message =
                    "the directory is throttling (HTTP \(wait.status)); waiting "
                    + "\(SyncProgress.seconds(milliseconds)) before attempt \(wait.attempt + 1)"
            }
        }

        private static func milliseconds(_ duration: Duration) -> Int64 {
            let (seconds, attoseconds) = duration.components
            return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
        }

        /// Percent: fetching fills 0–90 when the total is known, applying stands at 95, success at 100.
        /// ETA: the time so far scaled by what is left.
        private static func progress(of state: State, now: Int64) -> SyncProgress {
            var progress = SyncProgress(job: state.job)
            progress.message = state.extras.message
            progress.throttleWaitMilliseconds = state.extras.throttleWaitMilliseconds
            progress.plan = state.extras.plan
            progress.summary = state.extras.summary
            progress.error = state.extras.error
            if state.job.state == .running {
                switch state.job.phase {
                case .fetching, .listingMembers:
                    if let total = state.job.total, total > 0 {
                        progress.percent = 90 * Double(min(state.job.fetched, total)) / Double(total)
                    }
                case .applying: progress.percent = 95
                case .authenticating, nil: progress.percent = 0
                }
            }
            if let percent = progress.percent, percent > 0, percent < 100, let startedAt = state.job.startedAt {
                let elapsed = Double(max(0, now - startedAt))
                progress.etaMilliseconds = Int64(elapsed * (100 - percent) / percent)
            }
            return progress
        }
    }
}
