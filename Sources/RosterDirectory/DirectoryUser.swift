/// One person as the directory reports them: the contact fields Roster keeps, plus the two
/// properties that decide whether an account is in scope (`accountEnabled`, `userType`).
///
/// Decoding follows Graph's rules: every property but `id` may be null **or absent** (Graph leaves
/// out what was not `$select`ed; exports leave out what is empty) and both read as `nil`;
/// `businessPhones` reads as `[]`. `GraphDirectory` and `FileDirectory` share this one decoder.
package struct DirectoryUser: Sendable, Hashable, Codable {
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

    /// A user with only an id; every other field empty.
    package init(id: String) {
        self.id = id
        self.businessPhones = []
        self.extensionAttributes = ExtensionAttributes()
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

    // MARK: - Codable

    enum CodingKeys: String, CodingKey {
        case id, userPrincipalName, mail, displayName, givenName, surname, jobTitle, department, companyName
        case officeLocation, businessPhones, mobilePhone, faxNumber, streetAddress, city, state, postalCode
        case country, accountEnabled, userType
        case extensionAttributes = "onPremisesExtensionAttributes"
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        userPrincipalName = try c.decodeIfPresent(String.self, forKey: .userPrincipalName)
        mail = try c.decodeIfPresent(String.self, forKey: .mail)
        displayName = try c.decodeIfPresent(String.self, forKey: .displayName)
        givenName = try c.decodeIfPresent(String.self, forKey: .givenName)
        surname = try c.decodeIfPresent(String.self, forKey: .surname)
        jobTitle = try c.decodeIfPresent(String.self, forKey: .jobTitle)
        department = try c.decodeIfPresent(String.self, forKey: .department)
        companyName = try c.decodeIfPresent(String.self, forKey: .companyName)
        officeLocation = try c.decodeIfPresent(String.self, forKey: .officeLocation)
        businessPhones = try c.decodeIfPresent([String?].self, forKey: .businessPhones)?.compactMap { $0 } ?? []
        mobilePhone = try c.decodeIfPresent(String.self, forKey: .mobilePhone)
        faxNumber = try c.decodeIfPresent(String.self, forKey: .faxNumber)
        streetAddress = try c.decodeIfPresent(String.self, forKey: .streetAddress)
        city = try c.decodeIfPresent(String.self, forKey: .city)
        state = try c.decodeIfPresent(String.self, forKey: .state)
        postalCode = try c.decodeIfPresent(String.self, forKey: .postalCode)
        country = try c.decodeIfPresent(String.self, forKey: .country)
        extensionAttributes =
            try c.decodeIfPresent(ExtensionAttributes.self, forKey: .extensionAttributes) ?? ExtensionAttributes()
        accountEnabled = try c.decodeIfPresent(Bool.self, forKey: .accountEnabled)
        userType = try c.decodeIfPresent(String.self, forKey: .userType)
    }
}

extension DirectoryUser {
    /// `onPremisesExtensionAttributes`: fifteen free-text slots synced from on-premises AD.
    package struct ExtensionAttributes: Sendable, Hashable, Codable {
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

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
            static let all = (1...15).map { Key(stringValue: "extensionAttribute\($0)") }
        }

        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            values = try Key.all.map { try c.decodeIfPresent(String.self, forKey: $0) }
        }

        package func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            for (key, value) in zip(Key.all, values) {
                try c.encode(value, forKey: key)
            }
        }
    }
}
