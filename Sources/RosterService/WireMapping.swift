// The engine's and store's values as the messages of proto/roster.proto. Names that exist on both
// sides (JobState, SyncScope, …) are qualified: `RosterWire.X` is the message, `RosterStore.X` the record.
import RosterStore
import RosterSync
import RosterWire

extension RosterWire.ConnectionState {
    init(_ state: RosterStore.ConnectionState) {
        switch state {
        case .notConnected: self = .notConnected
        case .authorized: self = .authorized
        case .consentRevoked: self = .consentRevoked
        case .credentialsInvalid: self = .credentialsInvalid
        case .consentRequired: self = .consentRequired
        }
    }
}

extension Role {
    init(_ role: APIKeyRole) {
        switch role {
        case .admin: self = .admin
        case .editor: self = .editor
        case .reader: self = .reader
        }
    }
}

extension RosterWire.SyncScope {
    init(_ scope: RosterStore.SyncScope) {
        self.init()
        switch scope {
        case .allUsers:
            kind = .allUsers
        case .group(let id, let name):
            kind = .group
            groupID = id
            groupDisplayName = name
        }
    }
}

extension RosterWire.JobState {
    init(_ state: RosterStore.JobState) {
        switch state {
        case .queued: self = .queued
        case .running: self = .running
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .cancelled: self = .cancelled
        case .interrupted: self = .interrupted
        }
    }
}

extension SyncPhase {
    init(_ phase: JobPhase?) {
        switch phase {
        case .authenticating: self = .authenticating
        case .listingMembers: self = .listingMembers
        case .fetching: self = .fetching
        case .applying: self = .applying
        case nil: self = .unspecified
        }
    }
}

extension RosterWire.GroupKind {
    init(_ kind: RosterStore.GroupKind) {
        switch kind {
        case .mailEnabledSecurity: self = .mailEnabledSecurity
        case .security: self = .security
        case .distribution: self = .distributionList
        case .microsoft365: self = .microsoft365
        }
    }
}

extension ProgressCounters {
    init(fetched: Int, total: Int?, added: Int, updated: Int, removed: Int, unchanged: Int) {
        self.init()
        self.fetched = Int64(fetched)
        self.total = Int64(total ?? 0)
        self.added = Int64(added)
        self.updated = Int64(updated)
        self.removed = Int64(removed)
        self.unchanged = Int64(unchanged)
    }
}

extension ConfirmationSummary {
    /// The confirmation of a finished job; nil while it runs or when it did not succeed.
    init?(_ progress: SyncProgress) {
        guard progress.isFinal, let text = progress.summary else { return nil }
        self.init()
        totalContacts = Int64(progress.total ?? (progress.added + progress.updated + progress.unchanged))
        added = Int64(progress.added)
        updated = Int64(progress.updated)
        removed = Int64(progress.removed)
        unchanged = Int64(progress.unchanged)
        if let startedAt = progress.startedAt, let finishedAt = progress.finishedAt {
            durationMs = max(0, finishedAt - startedAt)
        }
        self.text = text
    }
}

extension SyncJob {
    init(_ job: SyncJobRecord) {
        self.init()
        id = job.id
        scope = RosterWire.SyncScope(job.scope)
        mode = job.mode == .delta ? .delta : .full
        state = RosterWire.JobState(job.state)
        phase = SyncPhase(job.phase)
        trigger = job.trigger == .scheduled ? .scheduled : .manual
        startedBy = job.startedBy ?? (job.trigger == .scheduled ? "schedule" : "")
        createdUnixMs = job.createdAt
        startedUnixMs = job.startedAt ?? 0
        finishedUnixMs = job.finishedAt ?? 0
        counters = ProgressCounters(
            fetched: job.fetched,
            total: job.total,
            added: job.added,
            updated: job.updated,
            removed: job.removed,
            unchanged: job.unchanged
        )
        errorCode = job.errorCode ?? ""
        errorMessage = job.errorMessage ?? ""
        note = job.note ?? ""
        summary = ConfirmationSummary(SyncProgress(job: job))
        acknowledgedRemovals = job.acknowledgedRemovals
    }
}

extension ProgressUpdate {
    /// `progress` as a stream message; `now` (Unix ms) gives the elapsed time of a running job.
    init(_ progress: SyncProgress, now: Int64) {
        self.init()
        jobID = progress.jobID
        state = RosterWire.JobState(progress.state)
        phase = SyncPhase(progress.phase)
        counters = ProgressCounters(
            fetched: progress.fetched,
            total: progress.total,
            added: progress.added,
            updated: progress.updated,
            removed: progress.removed,
            unchanged: progress.unchanged
        )
        percent = Float(progress.percent ?? 0)
        etaMs = progress.etaMilliseconds ?? 0
        throttleWaitMs = progress.throttleWaitMilliseconds ?? 0
        message = progress.message
        final = progress.isFinal
        summary = ConfirmationSummary(progress)
        errorCode = progress.error?.code.description ?? ""
        errorMessage = progress.error?.message ?? ""
        if let startedAt = progress.startedAt {
            elapsedMs = max(0, (progress.finishedAt ?? now) - startedAt)
        }
    }
}

extension Contact {
    /// The contact as reads show it: its effective values and its overrides, each with the
    /// directory's value when `includeDirectoryValues`.
    init(_ contact: OverriddenContact, includeDirectoryValues: Bool) {
        self.init(fields: contact.effective)
        overrides = contact.overrides.map {
            ContactOverride($0, directory: includeDirectoryValues ? contact.directory : nil)
        }
    }

    /// The fields of `record` as they are (reads pass the effective record: see the init above).
    private init(fields record: ContactRecord) {
        self.init()
        id = record.id
        userPrincipalName = record.userPrincipalName ?? ""
        mail = record.mail ?? ""
        displayName = record.displayName ?? ""
        givenName = record.givenName ?? ""
        surname = record.surname ?? ""
        jobTitle = record.jobTitle ?? ""
        department = record.department ?? ""
        companyName = record.companyName ?? ""
        officeLocation = record.officeLocation ?? ""
        businessPhones = record.businessPhones
        mobilePhone = record.mobilePhone ?? ""
        faxNumber = record.faxNumber ?? ""
        streetAddress = record.streetAddress ?? ""
        city = record.city ?? ""
        state = record.state ?? ""
        postalCode = record.postalCode ?? ""
        country = record.country ?? ""
        for (offset, value) in record.extensionAttributes.enumerated() {
            if let value { extensionAttributes[Int32(offset + 1)] = value }
        }
        changedUnixMs = record.changedAt
        attributes = record.attributes
        photoEtag = record.photoETag ?? ""
    }
}

extension ContactOverride {
    /// The wire form of a stored override; `directory` (the contact as synced) fills its
    /// directory value.
    init(_ record: ContactOverrideRecord, directory: ContactRecord?) {
        self.init()
        field = record.field.name
        value = record.value ?? ""
        hidden = record.isHidden
        directoryValue = directory.flatMap { record.field.value(in: $0) } ?? ""
        setBy = "\(record.setByLabel) (\(record.setByKeyID))"
        setUnixMs = record.setAt
    }
}

extension Group {
    init(_ record: GroupRecord) {
        self.init()
        id = record.id
        displayName = record.displayName
        mail = record.mail ?? ""
        kind = RosterWire.GroupKind(record.kind)
    }
}

extension DryRunPlan {
    init(_ plan: ApplyPlan) {
        self.init()
        toAdd = Int64(plan.counts.added)
        toUpdate = Int64(plan.counts.updated)
        toRemove = Int64(plan.counts.removed)
        unchanged = Int64(plan.counts.unchanged)
        func entries(_ list: [ApplyPlan.Entry], _ action: PlanAction) -> [PlanEntry] {
            list.map { entry in
                var wire = PlanEntry()
                wire.action = action
                wire.contactID = entry.id
                wire.displayName = entry.displayName ?? ""
                wire.mail = entry.mail ?? ""
                return wire
            }
        }
        sample = entries(plan.toAdd, .add) + entries(plan.toUpdate, .update) + entries(plan.toRemove, .remove)
    }
}

extension TenantSettings {
    init(_ tenant: TenantRecord) {
        self.init()
        syncIntervalMinutes = UInt32(clamping: tenant.syncIntervalMinutes)
        deletionThreshold = UInt32(clamping: tenant.deletionThreshold)
        includeDisabledAccounts = tenant.includeDisabled
        attributes = tenant.attributes
        syncPhotos = tenant.syncPhotos
    }
}
