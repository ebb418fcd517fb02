package import Logging
internal import Synchronization

/// The log lines of an apply, the same whatever the engine: committed at debug (counts and
/// milliseconds), refused by its limits at notice (the counts it would have had).
package struct ApplyLog: Sendable {
    private let logger: Logger
    private let started = ContinuousClock.now
    private var metadata: Logger.Metadata

    /// Starts timing the apply of `job` on `tenant`.
    package init(logger: Logger, tenant: String, job: String) {
        self.logger = logger
        self.metadata = [StoreLogKey.tenant.rawValue: "\(tenant)", StoreLogKey.job.rawValue: "\(job)"]
    }

    /// Logs a committed apply and returns its outcome.
    package func committed(_ counts: ApplyCounts) -> ApplyOutcome {
        var metadata = metadata
        metadata[StoreLogKey.counts.rawValue] = "\(Self.describe(counts))"
        metadata[StoreLogKey.milliseconds.rawValue] = "\((ContinuousClock.now - started) / .milliseconds(1))"
        logger.debug("apply committed", metadata: metadata)
        return .applied(counts)
    }

    /// Logs an apply its limits refused (rolled back: nothing written) and returns its outcome.
    package func refused(_ counts: ApplyCounts) -> ApplyOutcome {
        var metadata = metadata
        metadata[StoreLogKey.counts.rawValue] = "\(Self.describe(counts))"
        logger.notice("apply refused by its limits; nothing written", metadata: metadata)
        return .refused(counts)
    }

    /// "added 1, updated 2, removed 0, unchanged 5" for the log.
    static func describe(_ counts: ApplyCounts) -> String {
        "added \(counts.added), updated \(counts.updated), removed \(counts.removed), unchanged \(counts.unchanged)"
    }
}

/// Where a refused apply leaves its counts: the error that rolls its transaction back cannot
/// carry them out of the store's transaction closure.
package final class RefusedCounts: Sendable {
    private let stored = Mutex<ApplyCounts?>(nil)

    /// No counts yet.
    package init() {}

    /// The counts of the refused apply, once it set them.
    package var counts: ApplyCounts? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
