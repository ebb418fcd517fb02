// Stopping: running jobs get a grace period to finish, then end INTERRUPTED with nothing applied.
extension JobManager {
    /// Refuses new jobs, lets the running ones finish within `gracePeriod`, then stops the rest:
    /// they end INTERRUPTED, their staging dropped and nothing of them applied (an apply already
    /// under way completes). Returns once every job has saved its final state.
    package func shutdown(gracePeriod: Duration) async {
        isShuttingDown = true
        if gracePeriod > .zero, !active.isEmpty {
            let tasks = active.values.compactMap(\.task)
            // Whichever comes first: every job done, or the grace period over.
            let (events, event) = AsyncStream<Void>.makeStream()
            Task {
                for task in tasks { await task.value }
                event.yield()
            }
            let timer = Task {
                try? await Task.sleep(for: gracePeriod)
                event.yield()
            }
            for await _ in events { break }
            timer.cancel()
        }
        let remaining = Array(active.values)
        for job in remaining {
            job.reporter?.markInterrupted()
            job.task?.cancel()
        }
        for job in remaining { await job.task?.value }
    }
}
