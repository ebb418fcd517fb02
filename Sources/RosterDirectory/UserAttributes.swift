/// The additional user properties a tenant may sync into its contacts' `attributes`: the Graph
/// user properties that the users delta query tracks (beyond the contact fields), and directory
/// schema extensions (`extension_<app id without dashes>_<name>`). docs/directory.md, "Additional
/// user properties".
package enum UserAttributes {
    /// The most names one tenant may list.
    package static let maximumCount = 100

    /// Graph user properties (v1.0) offered as attributes, in Graph's spelling: strings, numbers,
    /// booleans, dates and string lists kept in the directory itself, which the users delta query
    /// tracks. Left out: the contact fields and scope properties Roster already selects
    /// (``DirectoryUser/graphSelect``), complex types (`employeeOrgData`, `identities`, …),
    /// properties served from other stores that delta does not track (`aboutMe`, `birthday`,
    /// `hireDate`, `interests`, `mySite`, `pastProjects`, `preferredName`, `responsibilities`,
    /// `schools`, `skills`, `mailboxSettings`), and those needing more permissions than
    /// `User.Read.All` (`signInActivity`, `employeeLeaveDateTime`).
    package static let standardProperties: [String] = [
        "ageGroup", "consentProvidedForMinor", "createdDateTime", "creationType", "employeeHireDate", "employeeId",
        "employeeType", "externalUserState", "externalUserStateChangeDateTime", "imAddresses",
        "lastPasswordChangeDateTime", "legalAgeGroupClassification", "mailNickname", "onPremisesDistinguishedName",
        "onPremisesDomainName", "onPremisesImmutableId", "onPremisesLastSyncDateTime", "onPremisesSamAccountName",
        "onPremisesSecurityIdentifier", "onPremisesSyncEnabled", "onPremisesUserPrincipalName", "otherMails",
        "passwordPolicies", "preferredDataLocation", "preferredLanguage", "proxyAddresses", "securityIdentifier",
        "signInSessionsValidFromDateTime", "usageLocation",
    ]

    private static let standardByLowercase = Dictionary(
        uniqueKeysWithValues: standardProperties.map { ($0.lowercased(), $0) }
    )
    private static let fixedByLowercase = Dictionary(
        uniqueKeysWithValues: DirectoryUser.graphSelect.map { ($0.lowercased(), $0) }
    )

    /// Why a list of names was refused; ``description`` names every offending name and says what
    /// to use instead.
    package struct Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// Names that are neither a tracked user property nor shaped like a schema extension.
        package var unknown: [String] = []
        /// Names starting `extension_` that do not have the shape `extension_<32 hex digits>_<name>`.
        package var malformedExtensions: [String] = []
        /// Names Roster already syncs as contact fields (or reads to decide the scope).
        package var contactFields: [String] = []
        /// How many distinct names were given, when more than ``maximumCount``.
        package var tooMany: Int?

        package var description: String {
            var parts: [String] = []
            if !unknown.isEmpty {
                parts.append(
                    "unknown user properties: \(unknown.joined(separator: ", ")) (use a user property that Graph's "
                        + "users delta query tracks, such as employeeId or proxyAddresses, or a schema extension "
                        + "extension_<app id without dashes>_<name>)"
                )
            }
            if !malformedExtensions.isEmpty {
                parts.append(
                    "malformed schema extension names: \(malformedExtensions.joined(separator: ", ")) (expected "
                        + "extension_<the owning app's client id, 32 hex digits without dashes>_<name of letters, "
                        + "digits and underscores>)"
                )
            }
            if !contactFields.isEmpty {
                parts.append(
                    "already synced as contact fields: \(contactFields.joined(separator: ", ")) (leave them out; "
                        + "Contact carries them)"
                )
            }
            if let tooMany {
                parts.append("\(tooMany) names given; at most \(maximumCount) additional user properties per tenant")
            }
            return parts.joined(separator: "; ")
        }
    }

    /// `names` checked and in canonical form, in the order given: standard properties in Graph's
    /// spelling (matched without case, as Graph does), schema extensions with a lowercase
    /// `extension_<app id>` and the name part as given; surrounding spaces dropped, empty names
    /// ignored, duplicates (without case) collapsed to the first. Throws a ``Refusal`` naming
    /// every name that cannot be synced.
    package static func canonical(_ names: [String]) throws(Refusal) -> [String] {
        var refusal = Refusal()
        var result: [String] = []
        var seen: Set<String> = []
        for raw in names {
            let name = raw.trimmingSpaces
            if name.isEmpty { continue }
            let key = name.lowercased()
            guard seen.insert(key).inserted else { continue }
            if let standard = standardByLowercase[key] {
                result.append(standard)
            } else if let fixed = fixedByLowercase[key] {
                refusal.contactFields.append(fixed)
            } else if key.hasPrefix("extension_") {
                if let canonical = canonicalExtension(name) {
                    result.append(canonical)
                } else {
                    refusal.malformedExtensions.append(name)
                }
            } else {
                refusal.unknown.append(name)
            }
        }
        if result.count > maximumCount { refusal.tooMany = result.count }
        guard refusal == Refusal() else { throw refusal }
        return result
    }

    /// Whether `name` is a directory schema extension property name (`extension_…`).
    package static func isSchemaExtension(_ name: String) -> Bool {
        name.lowercased().hasPrefix("extension_")
    }

    /// `extension_<32 hex digits>_<letters, digits, underscores>` with the prefix and app id in
    /// lowercase; nil for any other shape.
    private static func canonicalExtension(_ name: String) -> String? {
        let utf8 = Array(name.utf8)
        let prefix = "extension_".utf8.count
        let appIDEnd = prefix + 32
        guard utf8.count > appIDEnd + 1, utf8[appIDEnd] == UInt8(ascii: "_") else { return nil }
        let appID = utf8[prefix..<appIDEnd]
        let property = utf8[(appIDEnd + 1)...]
        guard appID.allSatisfy(\.isHexDigit), property.count <= 120, property.allSatisfy(\.isWordCharacter) else {
            return nil
        }
        return "extension_" + String(decoding: appID, as: UTF8.self).lowercased() + "_"
            + String(decoding: property, as: UTF8.self)
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }

    fileprivate var isWordCharacter: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) || self == UInt8(ascii: "_")
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
