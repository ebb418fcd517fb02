/// One directory group, cached for type-ahead search.
package struct GroupRecord: Sendable, Hashable {
    package var id: String
    package var displayName: String
    package var mail: String?
    package var mailEnabled: Bool
    package var securityEnabled: Bool
    package var kind: GroupKind

    /// A group with the given details.
    package init(id: String, displayName: String, mail: String?, mailEnabled: Bool, securityEnabled: Bool, kind: GroupKind) {
        self.id = id
        self.displayName = displayName
        self.mail = mail
        self.mailEnabled = mailEnabled
        self.securityEnabled = securityEnabled
        self.kind = kind
    }
}
