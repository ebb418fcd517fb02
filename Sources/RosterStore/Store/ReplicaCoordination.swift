/// What a store shared by several `rosterd` replicas adds so that they share the work: job
/// leases, cancels and progress that cross replicas, and news that a tenant's groups changed.
///
/// A store that one process owns (SQLite, under the data directory's lock) does not conform: its
/// server needs none of it. The PostgreSQL store conforms; with it:
/// - every job a replica creates is leased to that replica (``replicaID``) for ``leaseDuration``,
///   renewed by ``renewLeases()``; ``Store/interruptActiveJobs(now:)`` interrupts only jobs whose
///   lease has run out (their replica died), and a replica whose lease ran out can no longer write
///   its job nor apply it;
/// - ``requestCancel(tenant:)`` marks the tenant's active job for cancelling, wherever it runs;
/// - ``events()`` delivers what other replicas announce, moments after they do.
package protocol ReplicaCoordination: Sendable {
    /// This replica's id, unique among the replicas (a random UUID per process).
    var replicaID: String { get }
    /// How long a job's lease lasts past its last renewal; renew well within it.
    var leaseDuration: Duration { get }

    /// Extends the leases of this replica's active jobs and returns the ids of those that another
    /// replica asked to cancel.
    func renewLeases() async throws(StoreError) -> Set<String>
    /// Marks the tenant's active job for cancelling and tells every replica (``ReplicaEvent/cancel(job:tenant:)``).
    /// Returns the job, or nil when the tenant has none.
    func requestCancel(tenant: String) async throws(StoreError) -> SyncJobRecord?
    /// Tells every replica (itself included) a job's progress: `payload` is the encoded value.
    func announceProgress(job: String, payload: String) async throws(StoreError)
    /// What the replicas announce, this one's own included, until the consumer stops iterating.
    /// After a lost and restored connection the sequence yields ``ReplicaEvent/resynchronize``:
    /// news may have been missed, so what is cached from other replicas should be read again.
    func events() -> AsyncStream<ReplicaEvent>
}

/// News from the replicas sharing a store.
package enum ReplicaEvent: Sendable, Hashable {
    /// A job's newest progress, encoded by the job's replica.
    case progress(job: String, payload: String)
    /// The tenant's job `job` was asked to stop.
    case cancel(job: String, tenant: String)
    /// Replica `replica` saved new groups for the tenant.
    case groupsReplaced(tenant: String, replica: String)
    /// The tenant's change feed moved on (a commit logged changes).
    case contactsChanged(tenant: String)
    /// The connection that hears the news was lost and is back: some news may have been missed.
    case resynchronize
}

extension ReplicaEvent {
    /// The longest progress payload a replica announces: PostgreSQL's NOTIFY takes at most 8000
    /// bytes, the event's kind and job id included.
    package static let maximumProgressPayload = 7_800

    /// The payload of a `NOTIFY` carrying this event: its kind, a space, its fields separated by spaces
    /// (ids hold no spaces; a progress payload goes last and may).
    package var notification: String {
        switch self {
        case .progress(let job, let payload): "progress \(job) \(payload)"
        case .cancel(let job, let tenant): "cancel \(job) \(tenant)"
        case .groupsReplaced(let tenant, let replica): "groups \(tenant) \(replica)"
        case .contactsChanged(let tenant): "changes \(tenant)"
        case .resynchronize: "resynchronize"
        }
    }

    /// The event a `NOTIFY` payload carries, or nil for one this version does not know.
    package init?(notification: String) {
        let parts = notification.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        switch (parts.first, parts.count) {
        case ("progress", 3): self = .progress(job: parts[1], payload: parts[2])
        case ("cancel", 3): self = .cancel(job: parts[1], tenant: parts[2])
        case ("groups", 3): self = .groupsReplaced(tenant: parts[1], replica: parts[2])
        case ("changes", 2): self = .contactsChanged(tenant: parts[1])
        case ("resynchronize", 1): self = .resynchronize
        default: return nil
        }
    }
}
