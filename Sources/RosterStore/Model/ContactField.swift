/// A contact field that a local override may replace (docs/product.md, "Local overrides"), named
/// as proto/roster.proto names it: `job_title`, `business_phones`, `extension_attributes.3` (1–15),
/// `attributes.employeeId` (one of the tenant's additional user properties). Every field of a
/// contact but its id and its change time.
///
/// An override's value is text: a field's own text, and for `business_phones` the numbers one a
/// line (joined by a line feed, empty lines dropped), as `Contact.attributes` joins a list.
package enum ContactField: Sendable, Hashable, CustomStringConvertible {
    case userPrincipalName, mail, displayName, givenName, surname, jobTitle, department, companyName
    case officeLocation, businessPhones, mobilePhone, faxNumber, streetAddress, city, state, postalCode, country
    /// extensionAttribute1 … 15, by number.
    case extensionAttribute(Int)
    /// An additional user property, by the name the tenant's settings hold.
    case attribute(String)

    /// The prefix of an extension attribute's name; the number follows.
    package static let extensionAttributePrefix = "extension_attributes."
    /// The prefix of an additional user property's name; the property's name follows.
    package static let attributePrefix = "attributes."

    /// The fields of fixed name, in proto/roster.proto's order, with their names.
    private static let fixed: [(ContactField, String)] = [
        (.userPrincipalName, "user_principal_name"), (.mail, "mail"), (.displayName, "display_name"),
        (.givenName, "given_name"), (.surname, "surname"), (.jobTitle, "job_title"), (.department, "department"),
        (.companyName, "company_name"), (.officeLocation, "office_location"), (.businessPhones, "business_phones"),
        (.mobilePhone, "mobile_phone"), (.faxNumber, "fax_number"), (.streetAddress, "street_address"),
        (.city, "city"), (.state, "state"), (.postalCode, "postal_code"), (.country, "country"),
    ]

    /// Every name a field of fixed name has, then the patterns of the others, for error messages.
    package static let namesForHelp: String =
        fixed.map(\.1).joined(separator: ", ") + ", \(extensionAttributePrefix)1 … 15, \(attributePrefix)<name>"

    /// The field named `name` (exactly as ``name`` writes it), or nil. An additional property's
    /// name is not checked against any tenant's list here.
    package init?(name: String) {
        if let found = Self.fixed.first(where: { $0.1 == name }) {
            self = found.0
        } else if name.hasPrefix(Self.extensionAttributePrefix) {
            let digits = name.dropFirst(Self.extensionAttributePrefix.count)
            // Canonical decimal only: "3", never "03" or "+3".
            guard let number = Int(digits), String(number) == digits,
                (1...ContactRecord.extensionAttributeCount).contains(number)
            else { return nil }
            self = .extensionAttribute(number)
        } else if name.hasPrefix(Self.attributePrefix), name.count > Self.attributePrefix.count {
            self = .attribute(String(name.dropFirst(Self.attributePrefix.count)))
        } else {
            return nil
        }
    }

    /// The field's name, as proto/roster.proto names it and the store keeps it.
    package var name: String {
        switch self {
        case .extensionAttribute(let number): Self.extensionAttributePrefix + String(number)
        case .attribute(let property): Self.attributePrefix + property
        default: Self.fixed.first { $0.0 == self }?.1 ?? ""
        }
    }

    package var description: String { name }

    /// The field's value in `contact` as override text: nil when the contact holds none (null, or
    /// no business phones).
    package func value(in contact: ContactRecord) -> String? {
        switch self {
        case .userPrincipalName: contact.userPrincipalName
        case .mail: contact.mail
        case .displayName: contact.displayName
        case .givenName: contact.givenName
        case .surname: contact.surname
        case .jobTitle: contact.jobTitle
        case .department: contact.department
        case .companyName: contact.companyName
        case .officeLocation: contact.officeLocation
        case .businessPhones: contact.businessPhones.isEmpty ? nil : contact.businessPhones.joined(separator: "\n")
        case .mobilePhone: contact.mobilePhone
        case .faxNumber: contact.faxNumber
        case .streetAddress: contact.streetAddress
        case .city: contact.city
        case .state: contact.state
        case .postalCode: contact.postalCode
        case .country: contact.country
        case .extensionAttribute(let number):
            contact.extensionAttributes.indices.contains(number - 1) ? contact.extensionAttributes[number - 1] : nil
        case .attribute(let property): contact.attributes[property]
        }
    }

    /// Sets the field of `contact` to `value` (override text); nil makes it read as empty: null,
    /// no business phones, or the map entry absent.
    package func set(_ value: String?, in contact: inout ContactRecord) {
        switch self {
        case .userPrincipalName: contact.userPrincipalName = value
        case .mail: contact.mail = value
        case .displayName: contact.displayName = value
        case .givenName: contact.givenName = value
        case .surname: contact.surname = value
        case .jobTitle: contact.jobTitle = value
        case .department: contact.department = value
        case .companyName: contact.companyName = value
        case .officeLocation: contact.officeLocation = value
        case .businessPhones: contact.businessPhones = Self.phones(value)
        case .mobilePhone: contact.mobilePhone = value
        case .faxNumber: contact.faxNumber = value
        case .streetAddress: contact.streetAddress = value
        case .city: contact.city = value
        case .state: contact.state = value
        case .postalCode: contact.postalCode = value
        case .country: contact.country = value
        case .extensionAttribute(let number):
            if contact.extensionAttributes.indices.contains(number - 1) {
                contact.extensionAttributes[number - 1] = value
            }
        case .attribute(let property): contact.attributes[property] = value
        }
    }

    /// The business phones of override text: one a line (a line feed, or any other line break),
    /// empty lines dropped.
    private static func phones(_ value: String?) -> [String] {
        guard let value else { return [] }
        return value.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).map(String.init)
    }
}
