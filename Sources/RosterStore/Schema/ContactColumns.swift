/// The contact field columns shared by `contacts` and `staging`, in one order, with the code that
/// binds a `ContactRecord` to them and reads one back (SQLite here; every engine through
/// ``values(of:)`` and ``record(id:values:changedAt:)``).
///
/// The SQL built here comes only from these constant names, never from input.
package enum ContactColumns {
    /// The field columns after the id, in binding order: those of the first schema, then
    /// `attributes` (added by a later migration).
    package static let fields: [String] = version1Fields + ["attributes"]

    /// The field columns the first migration created; frozen, since that migration has shipped.
    private static let version1Fields: [String] =
        [
            "user_principal_name", "mail", "display_name", "given_name", "surname", "job_title", "department",
            "company_name", "office_location", "business_phones", "mobile_phone", "fax_number", "street_address",
            "city", "state", "postal_code", "country",
        ] + (1...ContactRecord.extensionAttributeCount).map { "extension_attribute_\($0)" }

    /// `name TEXT, …` for CREATE TABLE (business_phones is a JSON array, never NULL) of every
    /// field: for tables made anew (the apply step's temporary table).
    package static let definitions: String = definitions(of: fields)

    /// `name TEXT, …` of the fields the first migration created, for that migration only (later
    /// migrations add their columns themselves).
    package static let version1Definitions: String = definitions(of: version1Fields)

    private static func definitions(of fields: [String]) -> String {
        fields.map {
            $0 == "business_phones" ? "business_phones TEXT NOT NULL DEFAULT '[]'" : "\($0) TEXT"
        }.joined(separator: ",\n    ")
    }

    /// `a, b, c` in order.
    package static let list: String = fields.joined(separator: ", ")

    /// `p.a, p.b, …` for a table alias `p`.
    package static func list(prefix: String) -> String { fields.map { "\(prefix).\($0)" }.joined(separator: ", ") }

    /// `?first, ?first+1, …` placeholders for the fields.
    static func placeholders(from first: Int) -> String {
        fields.indices.map { "?\(first + $0)" }.joined(separator: ", ")
    }

    /// `a = s.a, …` for an UPDATE from alias `s`.
    package static func assignments(from alias: String) -> String {
        fields.map { "\($0) = \(alias).\($0)" }.joined(separator: ", ")
    }

    /// `(l.a IS NOT r.a OR …)`: true when any field differs (NULL-safe).
    static func differs(_ left: String, _ right: String) -> String {
        "(" + fields.map { "\(left).\($0) IS NOT \(right).\($0)" }.joined(separator: " OR ") + ")"
    }

    /// `contact`'s field values (not its id or changedAt) in ``fields`` order; businessPhones as
    /// its canonical JSON text.
    package static func values(of contact: ContactRecord) -> [String?] {
        [
            contact.userPrincipalName, contact.mail, contact.displayName, contact.givenName, contact.surname,
            contact.jobTitle, contact.department, contact.companyName, contact.officeLocation,
            PhoneList.encode(contact.businessPhones), contact.mobilePhone, contact.faxNumber, contact.streetAddress,
            contact.city, contact.state, contact.postalCode, contact.country,
        ] + contact.extensionAttributes + [AttributeMap.encode(contact.attributes)]
    }

    /// The contact `id` whose fields are `values` in ``fields`` order (as ``values(of:)`` gives them).
    package static func record(id: String, values: [String?], changedAt: Int64) -> ContactRecord {
        var contact = ContactRecord(id: id)
        var index = 0
        func next() -> String? {
            defer { index += 1 }
            return index < values.count ? values[index] : nil
        }
        contact.userPrincipalName = next()
        contact.mail = next()
        contact.displayName = next()
        contact.givenName = next()
        contact.surname = next()
        contact.jobTitle = next()
        contact.department = next()
        contact.companyName = next()
        contact.officeLocation = next()
        contact.businessPhones = PhoneList.decode(next() ?? "[]")
        contact.mobilePhone = next()
        contact.faxNumber = next()
        contact.streetAddress = next()
        contact.city = next()
        contact.state = next()
        contact.postalCode = next()
        contact.country = next()
        contact.extensionAttributes = (0..<ContactRecord.extensionAttributeCount).map { _ in next() }
        contact.attributes = AttributeMap.decode(next())
        contact.changedAt = changedAt
        return contact
    }

    /// Binds `contact`'s fields (not its id or changedAt) starting at parameter `first`.
    static func bind(_ contact: ContactRecord, to statement: Statement, from first: Int32) {
        for (offset, value) in values(of: contact).enumerated() { statement.bind(value, at: first + Int32(offset)) }
    }

    /// `(SELECT etag FROM photos …)` of the row of `contacts` (aliased `table`): a contact read's
    /// last column, its photo's etag or NULL.
    package static func photoETag(of table: String) -> String {
        "(SELECT p.etag FROM photos p WHERE p.tenant_id = \(table).tenant_id AND p.contact_id = \(table).id)"
    }

    /// Reads a contact whose id is in column `idColumn`, its fields right after, then changed_at,
    /// then its photo's etag (``photoETag(of:)``).
    static func read(_ statement: Statement, idColumn: Int32) -> ContactRecord {
        let count = Int32(fields.count)
        var contact = record(
            id: statement.string(idColumn) ?? "",
            values: (1...count).map { statement.string(idColumn + $0) },
            changedAt: statement.int64(idColumn + count + 1)
        )
        contact.photoETag = statement.string(idColumn + count + 2)
        return contact
    }
}
