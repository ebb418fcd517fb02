internal import Foundation
public import RosterWire

/// The `--json` form of every message the CLI prints: the proto3 JSON mapping (lowerCamelCase field
/// names, enums by their proto name), except that every field is written, defaults included, and
/// int64 values are JSON numbers. Absent sub-messages are left out.
public enum JSONOutput {
    static func enumValue<E: ProtoEnum>(_ value: E) -> JSONValue {
        value.protoName.map(JSONValue.string) ?? .int(Int64(value.rawValue))
    }

    private static func object(_ members: [(String, JSONValue?)]) -> JSONValue {
        .object(members.compactMap { key, value in value.map { (key, $0) } })
    }

    public static func apiKey(_ key: APIKey) -> JSONValue {
        .object([
            ("id", .string(key.id)), ("role", enumValue(key.role)), ("label", .string(key.label)),
            ("createdUnixMs", .int(key.createdUnixMs)), ("expiresUnixMs", .int(key.expiresUnixMs)),
            ("revokedUnixMs", .int(key.revokedUnixMs)), ("lastUsedUnixMs", .int(key.lastUsedUnixMs)),
        ])
    }

    public static func scope(_ scope: SyncScope) -> JSONValue {
        .object([
            ("kind", enumValue(scope.kind)),
            ("groupId", .string(scope.groupID)),
            ("groupDisplayName", .string(scope.groupDisplayName)),
        ])
    }

    public static func counters(_ counters: ProgressCounters) -> JSONValue {
        .object([
            ("fetched", .int(counters.fetched)),
            ("total", .int(counters.total)),
            ("added", .int(counters.added)),
            ("updated", .int(counters.updated)),
            ("removed", .int(counters.removed)),
            ("unchanged", .int(counters.unchanged)),
        ])
    }

    public static func summary(_ summary: ConfirmationSummary) -> JSONValue {
        .object([
            ("totalContacts", .int(summary.totalContacts)),
            ("added", .int(summary.added)),
            ("updated", .int(summary.updated)),
            ("removed", .int(summary.removed)),
            ("unchanged", .int(summary.unchanged)),
            ("durationMs", .int(summary.durationMs)),
            ("text", .string(summary.text)),
        ])
    }

    public static func job(_ job: SyncJob) -> JSONValue {
        object([
            ("id", .string(job.id)),
            ("scope", job.scope.map(scope)),
            ("mode", enumValue(job.mode)),
            ("state", enumValue(job.state)),
            ("phase", enumValue(job.phase)),
            ("trigger", enumValue(job.trigger)),
            ("startedBy", .string(job.startedBy)),
            ("createdUnixMs", .int(job.createdUnixMs)),
            ("startedUnixMs", .int(job.startedUnixMs)),
            ("finishedUnixMs", .int(job.finishedUnixMs)),
            ("counters", job.counters.map(counters)),
            ("errorCode", .string(job.errorCode)),
            ("errorMessage", .string(job.errorMessage)),
            ("summary", job.summary.map(summary)),
            ("acknowledgedRemovals", .bool(job.acknowledgedRemovals)),
            ("note", .string(job.note)),
        ])
    }

    public static func progress(_ update: ProgressUpdate) -> JSONValue {
        object([
            ("jobId", .string(update.jobID)),
            ("state", enumValue(update.state)),
            ("phase", enumValue(update.phase)),
            ("counters", update.counters.map(counters)),
            ("percent", .float(update.percent)),
            ("etaMs", .int(update.etaMs)),
            ("throttleWaitMs", .int(update.throttleWaitMs)),
            ("message", .string(update.message)),
            ("final", .bool(update.final)),
            ("summary", update.summary.map(summary)),
            ("errorCode", .string(update.errorCode)),
            ("errorMessage", .string(update.errorMessage)),
            ("elapsedMs", .int(update.elapsedMs)),
        ])
    }

    public static func planEntry(_ entry: PlanEntry) -> JSONValue {
        .object([
            ("action", enumValue(entry.action)),
            ("contactId", .string(entry.contactID)),
            ("displayName", .string(entry.displayName)),
            ("mail", .string(entry.mail)),
        ])
    }

    public static func plan(_ plan: DryRunPlan) -> JSONValue {
        .object([
            ("toAdd", .int(plan.toAdd)),
            ("toUpdate", .int(plan.toUpdate)),
            ("toRemove", .int(plan.toRemove)),
            ("unchanged", .int(plan.unchanged)),
            ("sample", .array(plan.sample.map(planEntry))),
        ])
    }

    public static func startSync(_ response: StartSyncResponse) -> JSONValue {
        object([
            ("job", response.job.map(job)),
            ("alreadyRunning", .bool(response.alreadyRunning)),
            ("plan", response.plan.map(plan)),
        ])
    }

    public static func group(_ group: Group) -> JSONValue {
        .object([
            ("id", .string(group.id)),
            ("displayName", .string(group.displayName)),
            ("mail", .string(group.mail)),
            ("kind", enumValue(group.kind)),
        ])
    }

    public static func listGroups(_ response: ListGroupsResponse) -> JSONValue {
        .object([
            ("groups", .array(response.groups.map(group))),
            ("refreshedUnixMs", .int(response.refreshedUnixMs)),
        ])
    }

    public static func contact(_ contact: Contact) -> JSONValue {
        .object([
            ("id", .string(contact.id)),
            ("userPrincipalName", .string(contact.userPrincipalName)),
            ("mail", .string(contact.mail)),
            ("displayName", .string(contact.displayName)),
            ("givenName", .string(contact.givenName)),
            ("surname", .string(contact.surname)),
            ("jobTitle", .string(contact.jobTitle)),
            ("department", .string(contact.department)),
            ("companyName", .string(contact.companyName)),
            ("officeLocation", .string(contact.officeLocation)),
            ("businessPhones", .array(contact.businessPhones.map(JSONValue.string))),
            ("mobilePhone", .string(contact.mobilePhone)),
            ("faxNumber", .string(contact.faxNumber)),
            ("streetAddress", .string(contact.streetAddress)),
            ("city", .string(contact.city)),
            ("state", .string(contact.state)),
            ("postalCode", .string(contact.postalCode)),
            ("country", .string(contact.country)),
            // proto3 JSON writes map keys as strings.
            (
                "extensionAttributes",
                .object(
                    contact.extensionAttributes.sorted { $0.key < $1.key }.map { (String($0.key), .string($0.value)) }
                )
            ),
            ("changedUnixMs", .int(contact.changedUnixMs)),
            ("photoEtag", .string(contact.photoEtag)),
            (
                "attributes",
                .object(
                    contact.attributes.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map {
                        ($0.key, .string($0.value))
                    }
                )
            ),
            ("overrides", .array(contact.overrides.map(contactOverride))),
        ])
    }

    public static func contactOverride(_ override: ContactOverride) -> JSONValue {
        .object([
            ("field", .string(override.field)),
            ("value", .string(override.value)),
            ("hidden", .bool(override.hidden)),
            ("directoryValue", .string(override.directoryValue)),
            ("setBy", .string(override.setBy)),
            ("setUnixMs", .int(override.setUnixMs)),
        ])
    }

    /// A GetContactPhoto answer: the image in base64 (proto3 JSON's bytes) unless it went to a
    /// file, and where it went.
    public static func photo(_ photo: GetContactPhotoResponse, output: String?) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("contentType", .string(photo.contentType)), ("etag", .string(photo.etag)),
            ("notModified", .bool(photo.notModified)), ("size", .int(Int64(photo.photo.count))),
        ]
        if let output {
            fields.append(("output", .string(output)))
        } else {
            fields.append(("photo", .string(Data(photo.photo).base64EncodedString())))
        }
        return .object(fields)
    }

    /// One or more pages of contacts as one object.
    public static func listContacts(
        _ contacts: [Contact],
        nextPageToken: String,
        total: Int64,
        changeCursor: Int64
    ) -> JSONValue {
        .object([
            ("contacts", .array(contacts.map(contact))),
            ("nextPageToken", .string(nextPageToken)),
            ("total", .int(total)),
            ("changeCursor", .int(changeCursor)),
        ])
    }

    /// One change of the feed; `contact` is null when the contact has been removed.
    public static func change(_ change: ContactChange) -> JSONValue {
        .object([
            ("cursor", .int(change.cursor)),
            ("kind", .string(ChangeKind.protoNames[change.kind.rawValue] ?? "\(change.kind.rawValue)")),
            ("source", .string(ChangeSource.protoNames[change.source.rawValue] ?? "\(change.source.rawValue)")),
            ("contactId", .string(change.contactID)),
            ("contact", change.contact.map(contact) ?? .null),
            ("changedUnixMs", .int(change.changedUnixMs)),
        ])
    }

    public static func listJobs(_ response: ListSyncJobsResponse) -> JSONValue {
        .object([
            ("jobs", .array(response.jobs.map(job))),
            ("nextPageToken", .string(response.nextPageToken)),
        ])
    }

    public static func settings(_ settings: TenantSettings) -> JSONValue {
        .object([
            ("syncIntervalMinutes", .int(Int64(settings.syncIntervalMinutes))),
            ("deletionThreshold", .int(Int64(settings.deletionThreshold))),
            ("includeDisabledAccounts", .bool(settings.includeDisabledAccounts)),
            ("attributes", .array(settings.attributes.map(JSONValue.string))),
            ("syncPhotos", .bool(settings.syncPhotos)),
        ])
    }

    public static func updateSettings(_ response: UpdateSettingsResponse) -> JSONValue {
        object([
            ("settings", response.settings.map(settings)),
            ("nextScheduledUnixMs", .int(response.nextScheduledUnixMs)),
        ])
    }

    public static func connect(_ response: ConnectDirectoryResponse) -> JSONValue {
        .object([
            ("state", enumValue(response.state)),
            ("grantedPermissions", .array(response.grantedPermissions.map(JSONValue.string))),
            ("groupsCached", .int(response.groupsCached)),
            ("adminConsentUrl", .string(response.adminConsentURL)),
        ])
    }

    public static func status(_ status: GetStatusResponse) -> JSONValue {
        object([
            ("tenantId", .string(status.tenantID)),
            ("connectionState", enumValue(status.connectionState)),
            ("connectionErrorCode", .string(status.connectionErrorCode)),
            ("savedScope", status.savedScope.map(scope)),
            ("activeJob", status.activeJob.map(job)),
            ("lastFinishedJob", status.lastFinishedJob.map(job)),
            ("contactCount", .int(status.contactCount)),
            ("settings", status.settings.map(settings)),
            ("nextScheduledUnixMs", .int(status.nextScheduledUnixMs)),
            ("groupsRefreshedUnixMs", .int(status.groupsRefreshedUnixMs)),
            ("callerRole", enumValue(status.callerRole)),
            ("adminConsentUrl", status.adminConsentURL.isEmpty ? nil : .string(status.adminConsentURL)),
        ])
    }
}
