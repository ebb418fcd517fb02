package import RosterDirectory
package import RosterStore

extension DirectoryUser {
    /// Whether the account belongs in a sync (PRODUCT.md, "Scope"): a member account (userType
    /// Member, or not reported, since a source that leaves it out has no guests) that is enabled, or
    /// disabled when the tenant opts in (`includeDisabled`). The same rule holds in both scopes.
    package func isSynced(includeDisabled: Bool) -> Bool {
        if let userType, userType.lowercased() != "member" { return false }
        return includeDisabled || accountEnabled != false
    }
}

extension ContactRecord {
    /// The contact the store keeps for `user`: every contact field as the directory reported it.
    package init(_ user: DirectoryUser) {
        self.init(id: user.id)
        userPrincipalName = user.userPrincipalName
        mail = user.mail
        displayName = user.displayName
        givenName = user.givenName
        surname = user.surname
        jobTitle = user.jobTitle
        department = user.department
        companyName = user.companyName
        officeLocation = user.officeLocation
        businessPhones = user.businessPhones
        mobilePhone = user.mobilePhone
        faxNumber = user.faxNumber
        streetAddress = user.streetAddress
        city = user.city
        state = user.state
        postalCode = user.postalCode
        country = user.country
        extensionAttributes = user.extensionAttributes.values
    }
}
