/// A group as the directory reports it, with the flags that tell its kind.
package struct DirectoryGroup: Sendable, Hashable, Codable {
    /// The directory's object id (a GUID string).
    package var id: String
    package var displayName: String?
    /// The SMTP address; `nil` for groups without mail (and sometimes for new mail-enabled ones).
    package var mail: String?
    package var mailEnabled: Bool
    package var securityEnabled: Bool
    /// `["Unified"]` for Microsoft 365 groups; `["DynamicMembership"]` may appear too.
    package var groupTypes: [String]

    /// A group with the given flags.
    package init(
        id: String,
        displayName: String?,
        mail: String?,
        mailEnabled: Bool,
        securityEnabled: Bool,
        groupTypes: [String] = []
    ) {
        self.id = id
        self.displayName = displayName
        self.mail = mail
        self.mailEnabled = mailEnabled
        self.securityEnabled = securityEnabled
        self.groupTypes = groupTypes
    }

    /// What kind of group this is, decided as Entra ID does: `Unified` first, then the two flags.
    package var kind: Kind {
        if groupTypes.contains(where: { $0.lowercased() == "unified" }) { return .microsoft365 }
        switch (mailEnabled, securityEnabled) {
        case (true, true): return .mailEnabledSecurity
        case (true, false): return .distributionList
        case (false, true): return .security
        case (false, false): return .other
        }
    }

    /// Why this group cannot scope a sync, in words for the user; `nil` for a mail-enabled security group.
    /// For example: "“UK Newsletter” is a distribution list; only mail-enabled security groups can
    /// scope a sync: pick one of those, or create one in Entra ID".
    package var syncScopeRefusal: String? {
        guard kind != .mailEnabledSecurity else { return nil }
        return "“\(displayName ?? id)” is \(kind); only mail-enabled security groups can scope a sync: "
            + "pick one of those, or create one in Entra ID"
    }

    /// The kinds of Entra ID group. Only ``mailEnabledSecurity`` can scope a sync.
    package enum Kind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// `mailEnabled` and `securityEnabled`, not `Unified`: the only kind Roster syncs.
        case mailEnabledSecurity
        /// A security group without mail.
        case security
        /// `mailEnabled` without `securityEnabled`, not `Unified`.
        case distributionList
        /// `groupTypes` holds `Unified`.
        case microsoft365
        /// Neither mail nor security enabled (not creatable today; kept so decoding never fails).
        case other

        /// The kind in words, for messages: "a distribution list".
        package var description: String {
            switch self {
            case .mailEnabledSecurity: "a mail-enabled security group"
            case .security: "a security group without mail"
            case .distributionList: "a distribution list"
            case .microsoft365: "a Microsoft 365 group"
            case .other: "a group that is neither mail- nor security-enabled"
            }
        }
    }

    // MARK: - Codable (missing flags read as false, missing groupTypes as [])

    enum CodingKeys: String, CodingKey {
        case id, displayName, mail, mailEnabled, securityEnabled, groupTypes
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        displayName = try c.decodeIfPresent(String.self, forKey: .displayName)
        mail = try c.decodeIfPresent(String.self, forKey: .mail)
        mailEnabled = try c.decodeIfPresent(Bool.self, forKey: .mailEnabled) ?? false
        securityEnabled = try c.decodeIfPresent(Bool.self, forKey: .securityEnabled) ?? false
        groupTypes = try c.decodeIfPresent([String].self, forKey: .groupTypes) ?? []
    }
}
