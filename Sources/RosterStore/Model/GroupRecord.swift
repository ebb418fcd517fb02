/// One directory group, cached for type-ahead search.
package struct GroupRecord: Sendable, Hashable {
    /// The directory's object id of the group.
    package var id: String
    /// The group's name.
    package var displayName: String
    /// Its mail address, if mail-enabled.
    package var mail: String?
    /// Graph's mailEnabled.
    package var mailEnabled: Bool
    /// Graph's securityEnabled.
    package var securityEnabled: Bool
    /// Which kind of group this is; only mail-enabled security groups can be a sync scope.
    package var kind: GroupKind

    /// A group with the given details.
    package init(
        id: String,
        displayName: String,
        mail: String?,
        mailEnabled: Bool,
        securityEnabled: Bool,
        kind: GroupKind
    ) {
        self.id = id
        self.displayName = displayName
        self.mail = mail
        self.mailEnabled = mailEnabled
        self.securityEnabled = securityEnabled
        self.kind = kind
    }
}
