import RosterStore
import RosterStoreTestSupport
import Testing

/// The fields an override may replace: their names, and how override text reads and writes each.
@Suite struct ContactFieldTests {
    static let fixedNames = [
        "user_principal_name", "mail", "display_name", "given_name", "surname", "job_title", "department",
        "company_name", "office_location", "business_phones", "mobile_phone", "fax_number", "street_address", "city",
        "state", "postal_code", "country",
    ]

    @Test func everyFieldButIdAndChangeTimeHasItsProtoName() throws {
        for name in Self.fixedNames + (1...15).map({ "extension_attributes.\($0)" }) + ["attributes.employeeId"] {
            let field = try #require(ContactField(name: name), "\(name)")
            #expect(field.name == name)
        }
        #expect(ContactField(name: "extension_attributes.3") == .extensionAttribute(3))
        #expect(ContactField(name: "attributes.extension_0f2a_costCentre") == .attribute("extension_0f2a_costCentre"))
    }

    @Test func otherNamesAreNotFields() {
        for name in [
            "", "id", "changed_unix_ms", "overrides", "jobTitle", "JOB_TITLE", " job_title", "extension_attributes",
            "extension_attributes.0", "extension_attributes.16", "extension_attributes.03", "extension_attributes.+3",
            "extension_attributes.x", "attributes", "attributes.", "extensionAttribute3",
        ] {
            #expect(ContactField(name: name) == nil, "\(name)")
        }
    }

    @Test func overrideTextReadsAndWritesEachKindOfField() {
        var contact = SampleContacts.contact(1)
        contact.businessPhones = ["+1 555 0100", "+1 555 0101"]
        contact.attributes = ["employeeId": "E-1"]
        #expect(ContactField.businessPhones.value(in: contact) == "+1 555 0100\n+1 555 0101")
        #expect(ContactField.attribute("employeeId").value(in: contact) == "E-1")
        #expect(ContactField.attribute("missing").value(in: contact) == nil)

        // Phones one a line, whatever the line break; empty lines dropped.
        ContactField.businessPhones.set("+44 1\r\n\n+44 2\n", in: &contact)
        #expect(contact.businessPhones == ["+44 1", "+44 2"])
        ContactField.businessPhones.set(nil, in: &contact)
        #expect(contact.businessPhones == [] && ContactField.businessPhones.value(in: contact) == nil)

        ContactField.extensionAttribute(15).set("fifteen", in: &contact)
        #expect(contact.extensionAttributes[14] == "fifteen")
        ContactField.attribute("employeeId").set(nil, in: &contact)
        #expect(contact.attributes == [:])
        ContactField.jobTitle.set(nil, in: &contact)
        #expect(contact.jobTitle == nil)
        // A number out of range (never parsed from a name) changes nothing.
        ContactField.extensionAttribute(16).set("x", in: &contact)
        #expect(
            contact.extensionAttributes.count == 15 && ContactField.extensionAttribute(16).value(in: contact) == nil
        )
    }

    @Test func effectiveAppliesOnlyTheContactsOwnOverrides() {
        let contact = SampleContacts.contact(1)
        let other = SampleContacts.contact(2)
        func override(_ id: String, _ field: ContactField, _ value: String?) -> ContactOverrideRecord {
            ContactOverrideRecord(contactID: id, field: field, value: value, setByKeyID: "k", setByLabel: "l", setAt: 1)
        }
        let overridden = OverriddenContact(
            directory: contact,
            overrides: [
                override(contact.id, .mail, nil), override(other.id, .city, "Elsewhere"),
                override(contact.id, .displayName, "Shown Name"),
            ]
        )
        #expect(overridden.overrides.map(\.field) == [.displayName, .mail])
        #expect(overridden.effective.displayName == "Shown Name")
        #expect(overridden.effective.mail == nil)
        #expect(overridden.effective.city == contact.city)
        #expect(overridden.directory == contact)
    }
}
