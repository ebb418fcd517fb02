// Stopping: running jobs get a grace period to finish, then end INTERRUPTED with nothing applied.
extension JobManager {
    /// Refuses new jobs, lets the running ones finish within `gracePeriod`, then stops the rest:
    /// they end INTERRUPTED, their staging dropped and nothing of them applied (an apply already
    /// under way completes). Returns once every job has saved its final state.
    package func shutdown(gracePeriod: Duration) async {
        isShuttingDown = true
        let tasks = active.values.compactMap(\.task)
        guard !tasks.isEmpty else { return }
        // Two children race: every job done, or the grace period over. The group ends when both
        // have: the timer is cancelled when the jobs win; the jobs are stopped when the timer does.
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for task in tasks { await task.value }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: gracePeriod)
                return false
            }
            if await group.next() == true {
                group.cancelAll()
            } else {
                stopActiveJobs()
            }
        }
    }

    /// Marks every active job INTERRUPTED and cancels it.
    private func stopActiveJobs() {
        for job in active.values {
            job.reporter?.markInterrupted()
            job.task?.cancel()
        }
    }
}
