// The enums of proto/roster.proto. Each is open: unknown numbers are kept (proto3 rule).

/// Where a tenant's directory connection stands (`roster.v1.ConnectionState`).
public struct ConnectionState: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = Self(rawValue: 0)
    public static let notConnected = Self(rawValue: 1)
    public static let authorized = Self(rawValue: 2)
    public static let consentRevoked = Self(rawValue: 3)
    public static let credentialsInvalid = Self(rawValue: 4)
    public static let consentRequired = Self(rawValue: 5)

    public static let protoNames: [Int32: String] = [
        0: "CONNECTION_STATE_UNSPECIFIED", 1: "CONNECTION_STATE_NOT_CONNECTED", 2: "CONNECTION_STATE_AUTHORIZED",
        3: "CONNECTION_STATE_CONSENT_REVOKED", 4: "CONNECTION_STATE_CREDENTIALS_INVALID",
        5: "CONNECTION_STATE_CONSENT_REQUIRED",
    ]
}

/// What an API key may do (`roster.v1.Role`).
public struct Role: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = Self(rawValue: 0)
    public static let admin = Self(rawValue: 1)
    public static let editor = Self(rawValue: 2)
    public static let reader = Self(rawValue: 3)

    public static let protoNames: [Int32: String] = [
        0: "ROLE_UNSPECIFIED", 1: "ROLE_ADMIN", 2: "ROLE_EDITOR", 3: "ROLE_READER",
    ]
}

/// All users, or one group (`roster.v1.ScopeKind`).
public struct ScopeKind: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = Self(rawValue: 0)
    public static let allUsers = Self(rawValue: 1)
    public static let group = Self(rawValue: 2)

    public static let protoNames: [Int32: String] = [
        0: "SCOPE_KIND_UNSPECIFIED", 1: "SCOPE_KIND_ALL_USERS", 2: "SCOPE_KIND_GROUP",
    ]
}

/// The life of a sync job (`roster.v1.JobState`).
public struct JobState: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = Self(rawValue: 0)
    public static let queued = Self(rawValue: 1)
    public static let running = Self(rawValue: 2)
    public static let succeeded = Self(rawValue: 3)
    public static let failed = Self(rawValue: 4)
    public static let cancelled = Self(rawValue: 5)
    public static let interrupted = Self(rawValue: 6)

    /// Whether the job has ended and will not change again.
    public var isTerminal: Bool { rawValue >= 3 && rawValue <= 6 }

    public static let protoNames: [Int32: String] = [
        0: "JOB_STATE_UNSPECIFIED", 1: "JOB_STATE_QUEUED", 2: "JOB_STATE_RUNNING", 3: "JOB_STATE_SUCCEEDED",
        4: "JOB_STATE_FAILED", 5: "JOB_STATE_CANCELLED", 6: "JOB_STATE_INTERRUPTED",
    ]
}

/// What a running job is doing (`roster.v1.SyncPhase`).
public struct SyncPhase: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = Self(rawValue: 0)
    public static let authenticating = Self(rawValue: 1)
    public static let listingMembers = Self(rawValue: 2)
    public static let fetching = Self(rawValue: 3)
    public static let applying = Self(rawValue: 4)

    public static let protoNames: [Int32: String] = [
        0: "SYNC_PHASE_UNSPECIFIED", 1: "SYNC_PHASE_AUTHENTICATING", 2: "SYNC_PHASE_LISTING_MEMBERS",
        3: "SYNC_PHASE_FETCHING", 4: "SYNC_PHASE_APPLYING",
    ]
}

/// Full fetch or delta query (`roster.v1.SyncMode`).
public struct SyncMode: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = Self(rawValue: 0)
    public static let full = Self(rawValue: 1)
    public static let delta = Self(rawValue: 2)

    public static let protoNames: [Int32: String] = [
        0: "SYNC_MODE_UNSPECIFIED", 1: "SYNC_MODE_FULL", 2: "SYNC_MODE_DELTA",
    ]
}

/// Who started a job (`roster.v1.SyncTrigger`).
public struct SyncTrigger: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = Self(rawValue: 0)
    public static let manual = Self(rawValue: 1)
    public static let scheduled = Self(rawValue: 2)

    public static let protoNames: [Int32: String] = [
        0: "SYNC_TRIGGER_UNSPECIFIED", 1: "SYNC_TRIGGER_MANUAL", 2: "SYNC_TRIGGER_SCHEDULED",
    ]
}

/// What kind of directory group (`roster.v1.GroupKind`).
public struct GroupKind: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = Self(rawValue: 0)
    public static let mailEnabledSecurity = Self(rawValue: 1)
    public static let security = Self(rawValue: 2)
    public static let distributionList = Self(rawValue: 3)
    public static let microsoft365 = Self(rawValue: 4)

    public static let protoNames: [Int32: String] = [
        0: "GROUP_KIND_UNSPECIFIED", 1: "GROUP_KIND_MAIL_ENABLED_SECURITY", 2: "GROUP_KIND_SECURITY",
        3: "GROUP_KIND_DISTRIBUTION_LIST", 4: "GROUP_KIND_MICROSOFT_365",
    ]
}

/// One line of a dry-run plan (`roster.v1.PlanAction`).
public struct PlanAction: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = Self(rawValue: 0)
    public static let add = Self(rawValue: 1)
    public static let update = Self(rawValue: 2)
    public static let remove = Self(rawValue: 3)

    public static let protoNames: [Int32: String] = [
        0: "PLAN_ACTION_UNSPECIFIED", 1: "PLAN_ACTION_ADD", 2: "PLAN_ACTION_UPDATE", 3: "PLAN_ACTION_REMOVE",
    ]
}

/// What a change did to its contact (`roster.v1.ChangeKind`).
public struct ChangeKind: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = Self(rawValue: 0)
    public static let added = Self(rawValue: 1)
    public static let updated = Self(rawValue: 2)
    public static let removed = Self(rawValue: 3)

    public static let protoNames: [Int32: String] = [
        0: "CHANGE_KIND_UNSPECIFIED", 1: "CHANGE_KIND_ADDED", 2: "CHANGE_KIND_UPDATED", 3: "CHANGE_KIND_REMOVED",
    ]
}

/// What made a change (`roster.v1.ChangeSource`).
public struct ChangeSource: ProtoEnum {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let unspecified = Self(rawValue: 0)
    public static let directory = Self(rawValue: 1)
    public static let override = Self(rawValue: 2)
    public static let photo = Self(rawValue: 3)

    public static let protoNames: [Int32: String] = [
        0: "CHANGE_SOURCE_UNSPECIFIED", 1: "CHANGE_SOURCE_DIRECTORY", 2: "CHANGE_SOURCE_OVERRIDE",
        3: "CHANGE_SOURCE_PHOTO",
    ]
}
