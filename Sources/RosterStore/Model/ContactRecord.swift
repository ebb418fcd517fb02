/// The synced details of one directory user as the store keeps them (docs/product.md, "Contact").
///
/// Fields the directory reported as null (or did not report) are nil, so an empty string and a
/// missing value stay distinct and a sync reproduces the directory field for field.
package struct ContactRecord: Sendable, Hashable {
    /// How many extensionAttribute fields a contact has (extensionAttribute1 … 15).
    package static let extensionAttributeCount = 15

    /// The directory's object id of the user.
    package var id: String
    /// The user's sign-in name (userPrincipalName).
    package var userPrincipalName: String?
    /// The primary SMTP address.
    package var mail: String?
    /// The name shown in address lists.
    package var displayName: String?
    /// First name.
    package var givenName: String?
    /// Last name.
    package var surname: String?
    /// Job title.
    package var jobTitle: String?
    /// Department.
    package var department: String?
    /// Company name.
    package var companyName: String?
    /// Office location.
    package var officeLocation: String?
    /// Business phone numbers in the directory's order; stored as a JSON array of strings.
    package var businessPhones: [String]
    /// Mobile phone number.
    package var mobilePhone: String?
    /// Fax number.
    package var faxNumber: String?
    /// Street address.
    package var streetAddress: String?
    /// City.
    package var city: String?
    /// State or province.
    package var state: String?
    /// Postal code.
    package var postalCode: String?
    /// Country or region.
    package var country: String?
    /// extensionAttribute1 … 15 at offsets 0 … 14; always exactly 15 entries.
    package var extensionAttributes: [String?] {
        didSet { extensionAttributes = Self.normalized(extensionAttributes) }
    }
    /// The tenant's additional user properties (``TenantRecord/attributes``) that hold a value, by
    /// name: text as the directory gave it, numbers and booleans as their JSON text, lists of
    /// strings joined by a line feed. Stored as one canonical JSON object (NULL when empty).
    package var attributes: [String: String]
    /// When the store last wrote a change to this contact (Unix milliseconds); set by the apply step.
    package var changedAt: Int64
    /// The etag of the contact's stored photo (``ContactPhoto``), nil without one. Filled by the
    /// stores' contact reads; the apply step neither reads nor writes it (photos are written by
    /// `Store.setPhoto`).
    package var photoETag: String?

    /// A contact with `id` and every other field empty.
    package init(id: String) {
        self.id = id
        self.businessPhones = []
        self.extensionAttributes = Array(repeating: nil, count: Self.extensionAttributeCount)
        self.attributes = [:]
        self.changedAt = 0
    }

    private static func normalized(_ values: [String?]) -> [String?] {
        if values.count == extensionAttributeCount { return values }
        var fixed = Array(values.prefix(extensionAttributeCount))
        fixed.append(contentsOf: Array(repeating: nil, count: extensionAttributeCount - fixed.count))
        return fixed
    }
}
