package import RosterDirectory
package import RosterStore

extension DirectoryUser {
    /// Whether the account belongs in a sync (docs/product.md, "Scope"): a member account (userType
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
        attributes = user.attributes
    }
}

extension ContactRecord {
    /// This contact, read from a delta entry that carried only the `reported` properties, with
    /// every property it left out (unchanged in the directory) taken from the `stored` contact.
    /// The contact fields that hold a value (an empty string or list counts as none).
    package var nonEmptyProperties: DirectoryUser.Properties {
        var properties = DirectoryUser.Properties()
        func note(_ value: String?, _ property: DirectoryUser.Properties) {
            if let value, !value.isEmpty { properties.insert(property) }
        }
        note(userPrincipalName, .userPrincipalName)
        note(mail, .mail)
        note(displayName, .displayName)
        note(givenName, .givenName)
        note(surname, .surname)
        note(jobTitle, .jobTitle)
        note(department, .department)
        note(companyName, .companyName)
        note(officeLocation, .officeLocation)
        if !businessPhones.isEmpty { properties.insert(.businessPhones) }
        note(mobilePhone, .mobilePhone)
        note(faxNumber, .faxNumber)
        note(streetAddress, .streetAddress)
        note(city, .city)
        note(state, .state)
        note(postalCode, .postalCode)
        note(country, .country)
        if extensionAttributes.contains(where: { !($0 ?? "").isEmpty }) { properties.insert(.extensionAttributes) }
        return properties
    }

    /// Whether every additional user property this contact holds a value for was carried by
    /// `user`'s entry: then the entry's attributes are exact (one it left out is empty either way).
    package func attributesKnown(from user: DirectoryUser) -> Bool {
        attributes.keys.allSatisfy(user.reportedAttributes.contains)
    }

    package func merging(unreportedFrom stored: ContactRecord, reported: DirectoryUser.Properties) -> ContactRecord {
        var merged = self
        if !reported.contains(.userPrincipalName) { merged.userPrincipalName = stored.userPrincipalName }
        if !reported.contains(.mail) { merged.mail = stored.mail }
        if !reported.contains(.displayName) { merged.displayName = stored.displayName }
        if !reported.contains(.givenName) { merged.givenName = stored.givenName }
        if !reported.contains(.surname) { merged.surname = stored.surname }
        if !reported.contains(.jobTitle) { merged.jobTitle = stored.jobTitle }
        if !reported.contains(.department) { merged.department = stored.department }
        if !reported.contains(.companyName) { merged.companyName = stored.companyName }
        if !reported.contains(.officeLocation) { merged.officeLocation = stored.officeLocation }
        if !reported.contains(.businessPhones) { merged.businessPhones = stored.businessPhones }
        if !reported.contains(.mobilePhone) { merged.mobilePhone = stored.mobilePhone }
        if !reported.contains(.faxNumber) { merged.faxNumber = stored.faxNumber }
        if !reported.contains(.streetAddress) { merged.streetAddress = stored.streetAddress }
        if !reported.contains(.city) { merged.city = stored.city }
        if !reported.contains(.state) { merged.state = stored.state }
        if !reported.contains(.postalCode) { merged.postalCode = stored.postalCode }
        if !reported.contains(.country) { merged.country = stored.country }
        if !reported.contains(.extensionAttributes) { merged.extensionAttributes = stored.extensionAttributes }
        return merged
    }
}
