/// One person as the directory reports them: the contact fields Roster keeps, plus the two
/// properties that decide whether an account is in scope (`accountEnabled`, `userType`).
///
/// Read by one decoder for both sources (`GraphUserPage`), with Graph's rules: every property but
/// `id` may be null **or absent** (Graph leaves out what was not `$select`ed; exports leave out
/// what is empty) and both read as `nil`; `businessPhones` reads as `[]`.
package struct DirectoryUser: Sendable, Hashable {
    /// The directory's immutable object id (a GUID string).
    package var id: String
    package var userPrincipalName: String?
    package var mail: String?
    package var displayName: String?
    package var givenName: String?
    package var surname: String?
    package var jobTitle: String?
    package var department: String?
    package var companyName: String?
    package var officeLocation: String?
    /// Graph's `businessPhones` array, in the directory's order; empty when none.
    package var businessPhones: [String]
    package var mobilePhone: String?
    package var faxNumber: String?
    package var streetAddress: String?
    package var city: String?
    package var state: String?
    package var postalCode: String?
    package var country: String?
    /// `onPremisesExtensionAttributes.extensionAttribute1` … `15`.
    package var extensionAttributes: ExtensionAttributes
    /// `nil` when the source did not say; callers treat `nil` as enabled.
    package var accountEnabled: Bool?
    /// `"Member"` or `"Guest"`; `nil` when the source did not say.
    package var userType: String?
    /// The additional user properties asked for (``UserAttributes``) that hold a value, keyed by
    /// the name as asked for: text as Graph sends it, numbers and booleans as their JSON text,
    /// string lists joined by a line feed (`GraphJSONReader.readAttributeText`).
    package var attributes: [String: String]
    /// The additional user properties the entry carried (null counts), by the name as asked for:
    /// a delta entry may leave some out (``Properties``).
    package var reportedAttributes: Set<String>

    /// A user with only an id; every other field empty.
    package init(id: String) {
        self.id = id
        self.businessPhones = []
        self.extensionAttributes = ExtensionAttributes()
        self.attributes = [:]
        self.reportedAttributes = []
    }

    /// Whether the account is a guest (`userType` is `Guest`, compared without case).
    package var isGuest: Bool {
        userType?.lowercased() == "guest"
    }

    /// The Graph property names to `$select` so that every field above is filled.
    package static let graphSelect: [String] = [
        "id", "userPrincipalName", "mail", "displayName", "givenName", "surname", "jobTitle", "department",
        "companyName", "officeLocation", "businessPhones", "mobilePhone", "faxNumber", "streetAddress", "city",
        "state", "postalCode", "country", "onPremisesExtensionAttributes", "accountEnabled", "userType",
    ]

    /// The `$select` value for the contact fields plus the additional user properties `attributes`.
    package static func graphSelect(attributes: [String]) -> String {
        (graphSelect + attributes).joined(separator: ",")
    }
}

extension DirectoryUser {
    /// Which properties a user entry carried (present, null or not): a delta round may send an
    /// updated user with only its changed properties ("at least the updated properties", and only
    /// those with `Prefer: return=minimal`), and an absent property then means "unchanged".
    package struct Properties: OptionSet, Sendable, Hashable {
        package let rawValue: UInt32
        package init(rawValue: UInt32) { self.rawValue = rawValue }

        package static let userPrincipalName = Self(rawValue: 1 << 0)
        package static let mail = Self(rawValue: 1 << 1)
        package static let displayName = Self(rawValue: 1 << 2)
        package static let givenName = Self(rawValue: 1 << 3)
        package static let surname = Self(rawValue: 1 << 4)
        package static let jobTitle = Self(rawValue: 1 << 5)
        package static let department = Self(rawValue: 1 << 6)
        package static let companyName = Self(rawValue: 1 << 7)
        package static let officeLocation = Self(rawValue: 1 << 8)
        package static let businessPhones = Self(rawValue: 1 << 9)
        package static let mobilePhone = Self(rawValue: 1 << 10)
        package static let faxNumber = Self(rawValue: 1 << 11)
        package static let streetAddress = Self(rawValue: 1 << 12)
        package static let city = Self(rawValue: 1 << 13)
        package static let state = Self(rawValue: 1 << 14)
        package static let postalCode = Self(rawValue: 1 << 15)
        package static let country = Self(rawValue: 1 << 16)
        package static let extensionAttributes = Self(rawValue: 1 << 17)
        package static let accountEnabled = Self(rawValue: 1 << 18)
        package static let userType = Self(rawValue: 1 << 19)

        /// Every property a contact keeps.
        package static let contactFields = Self(rawValue: (1 << 18) - 1)
    }
}

extension DirectoryUser {
    /// `onPremisesExtensionAttributes`: fifteen free-text slots synced from on-premises AD.
    package struct ExtensionAttributes: Sendable, Hashable {
        /// Slot `n` (1…15) is `values[n - 1]`.
        package var values: [String?]

        /// All fifteen slots empty.
        package init() {
            values = Array(repeating: nil, count: 15)
        }

        /// `extensionAttribute<number>`, for `number` in 1…15.
        package subscript(number: Int) -> String? {
            get { values[number - 1] }
            set { values[number - 1] = newValue }
        }
    }
}
