/// A tenant with what GetStatus shows of it, read at once (``Store/status(tenant:recentJobs:)``).
package struct TenantStatus: Sendable, Equatable {
    package var tenant: TenantRecord
    /// The tenant's queued or running job, if any.
    package var activeJob: SyncJobRecord?
    /// The tenant's latest jobs, newest first.
    package var recentJobs: [SyncJobRecord]
    package var contactCount: Int

    package init(tenant: TenantRecord, activeJob: SyncJobRecord?, recentJobs: [SyncJobRecord], contactCount: Int) {
        self.tenant = tenant
        self.activeJob = activeJob
        self.recentJobs = recentJobs
        self.contactCount = contactCount
    }
}
