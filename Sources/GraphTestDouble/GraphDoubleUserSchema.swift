import NIOHTTP1

/// The properties of Graph's `microsoft.graph.user` (v1.0) the double knows, so that it refuses a
/// `$select` naming any other property the way Graph does, and matches names without case as
/// Graph does. Directory schema extensions (`extension_<app id>_<name>`) are known when
/// registered (``GraphDouble/Configuration/schemaExtensions``) or held by some user.
enum GraphDoubleUserSchema {
    /// Every v1.0 user property with a scalar, list or complex value (navigation properties are
    /// left out: `$select` cannot name them).
    static let properties: [String] = [
        "aboutMe", "accountEnabled", "ageGroup", "assignedLicenses", "assignedPlans", "authorizationInfo", "birthday",
        "businessPhones", "city", "companyName", "consentProvidedForMinor", "country", "createdDateTime",
        "creationType", "customSecurityAttributes", "deletedDateTime", "department", "displayName",
        "employeeHireDate", "employeeId", "employeeLeaveDateTime", "employeeOrgData", "employeeType",
        "externalUserState", "externalUserStateChangeDateTime", "faxNumber", "givenName", "hireDate", "id",
        "identities", "imAddresses", "interests", "isResourceAccount", "jobTitle", "lastPasswordChangeDateTime",
        "legalAgeGroupClassification", "licenseAssignmentStates", "mail", "mailboxSettings", "mailNickname",
        "mobilePhone", "mySite", "officeLocation", "onPremisesDistinguishedName", "onPremisesDomainName",
        "onPremisesExtensionAttributes", "onPremisesImmutableId", "onPremisesLastSyncDateTime",
        "onPremisesProvisioningErrors", "onPremisesSamAccountName", "onPremisesSecurityIdentifier",
        "onPremisesSyncEnabled", "onPremisesUserPrincipalName", "otherMails", "passwordPolicies",
        "passwordProfile", "pastProjects", "postalCode", "preferredDataLocation", "preferredLanguage",
        "preferredName", "provisionedPlans", "proxyAddresses", "responsibilities", "schools", "securityIdentifier",
        "serviceProvisioningErrors", "showInAddressList", "signInActivity", "signInSessionsValidFromDateTime",
        "skills", "state", "streetAddress", "surname", "usageLocation", "userPrincipalName", "userType",
    ]

    /// Lowercased name → Graph's spelling.
    static let byLowercase: [String: String] = Dictionary(
        uniqueKeysWithValues: properties.map { ($0.lowercased(), $0) }
    )

    /// Whether `key` names a directory schema extension property.
    static func isSchemaExtension(_ key: String) -> Bool {
        key.lowercased().hasPrefix("extension_")
    }
}

extension GraphDouble.State {
    /// `name` in the spelling the double serves it: a known user property or registered schema
    /// extension, matched without case; nil for a name the user type does not have.
    func userProperty(_ name: String) -> String? {
        let key = name.lowercased()
        return GraphDoubleUserSchema.byLowercase[key] ?? schemaExtensions[key]
    }

    /// Graph's answer to a `$select` on users that names a property the type does not have: 400
    /// `Request_BadRequest` naming the first such property.
    func refuseUnknownUserProperties(_ query: [String: String]) -> GraphDoubleReply? {
        guard let select = query["$select"] else { return nil }
        for name in select.split(separator: ",").map(String.init) where userProperty(name) == nil {
            return .graphError(
                .badRequest,
                "Request_BadRequest",
                "Could not find a property named '\(name)' on type 'microsoft.graph.user'."
            )
        }
        return nil
    }

    /// Learns the schema extension properties `user` holds, so that `$select` may name them.
    mutating func registerSchemaExtensions(of user: JSONObject) {
        for (key, _) in user.fields where GraphDoubleUserSchema.isSchemaExtension(key) {
            schemaExtensions[key.lowercased()] = key
        }
    }
}
