// The small enums stored as text in the tables. Their raw values are what the database holds:
// never rename a raw value without a migration.

/// Whether a tenant's directory credentials are proven (docs/product.md, "Connection state").
package enum ConnectionState: String, Sendable, Hashable, CaseIterable {
    case notConnected, authorized, consentRevoked, credentialsInvalid
    /// Connected through the server's own application, whose admin consent is missing or revoked.
    case consentRequired
}

/// The role an API key grants within its tenant.
package enum APIKeyRole: String, Sendable, Hashable, CaseIterable {
    case admin, editor, reader
}

/// How a sync job fetches people: everyone in scope, or the changes since the stored delta link.
package enum SyncMode: String, Sendable, Hashable, CaseIterable {
    case full, delta
}

/// Where a sync job stands.
package enum JobState: String, Sendable, Hashable, CaseIterable {
    case queued, running, succeeded, failed, cancelled, interrupted

    /// True for `queued` and `running`: at most one such job exists per tenant.
    package var isActive: Bool { self == .queued || self == .running }
}

/// The step a running sync job is in.
package enum JobPhase: String, Sendable, Hashable, CaseIterable {
    case authenticating, listingMembers, fetching, applying
}

/// What started a sync job.
package enum JobTrigger: String, Sendable, Hashable, CaseIterable {
    case manual, scheduled
}

/// The kind of a directory group, from its mailEnabled / securityEnabled / groupTypes.
package enum GroupKind: String, Sendable, Hashable, CaseIterable {
    case mailEnabledSecurity, security, distribution, microsoft365
}

/// Which users a tenant's sync covers.
package enum SyncScope: Sendable, Hashable {
    /// Every member account of the directory.
    case allUsers
    /// The users among the transitive members of one mail-enabled security group.
    case group(id: String, name: String)

    /// The group's id and name for a group scope; nil for all users.
    package var group: (id: String, name: String)? {
        if case .group(let id, let name) = self { (id, name) } else { nil }
    }

    /// The text stored in the `scope_kind` columns.
    package var kind: String {
        switch self {
        case .allUsers: "allUsers"
        case .group: "group"
        }
    }

    /// Rebuilds a scope from its columns.
    package static func from(kind: String?, groupID: String?, groupName: String?) throws(StoreError) -> SyncScope {
        switch kind {
        case "allUsers": return .allUsers
        case "group": return .group(id: groupID ?? "", name: groupName ?? "")
        default:
            throw StoreError(
                .sqlite,
                "unknown scope kind \(kind ?? "NULL") in the database; was it written by a newer rosterd?"
            )
        }
    }
}

extension RawRepresentable where RawValue == String {
    /// Decodes a stored raw value, failing with a clear message for values this version does not know.
    package static func stored(_ raw: String?, column: String) throws(StoreError) -> Self {
        guard let raw, let value = Self(rawValue: raw) else {
            throw StoreError(
                .sqlite,
                "unknown value \(raw ?? "NULL") in column \(column); was the database written by a newer rosterd?"
            )
        }
        return value
    }
}
