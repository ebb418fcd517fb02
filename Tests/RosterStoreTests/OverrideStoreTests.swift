import RosterStore
import RosterStoreTestSupport
import Testing

/// Local overrides of contact fields in both stores: set, replaced and cleared each in a
/// transaction of its own; untouched by the apply; gone with their contact.
@Suite("Contact overrides in the store", .postgresCluster)
struct OverrideStoreTests {
    let tenant = StoreFixture.tenant

    func apply(
        _ store: any Store,
        job: String,
        _ contacts: [ContactRecord],
        removals: [String] = [],
        kind: ApplyKind = .replaceAll,
        now: Int64
    ) async throws -> ApplyCounts {
        try await store.stage(job: job, contacts: contacts, removals: removals)
        return try await store.apply(job: job, tenant: tenant, kind: kind, now: now, deltaLink: nil)
    }

    func override(
        _ contact: String,
        _ field: ContactField,
        _ value: String?,
        at time: Int64 = 100
    ) -> ContactOverrideRecord {
        ContactOverrideRecord(
            contactID: contact,
            field: field,
            value: value,
            setByKeyID: "0123456789abcdef",
            setByLabel: "HR desk",
            setAt: time
        )
    }

    @Test(
        "set, replace, hide and clear: each answers the contact as committed and moves the contacts generation",
        arguments: StoreKind.allCases
    )
    func setReplaceHideClear(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let contacts = SampleContacts.contacts(0..<3)
        _ = try await apply(store, job: "first", contacts, now: 1)
        let id = contacts[1].id
        let generation = try await store.contactsGeneration(tenant: tenant)

        let set = try await store.setContactOverride(tenant: tenant, override(id, .jobTitle, "Chief People Officer"))
        #expect(set.directory == contacts[1].with(changedAt: 1))
        #expect(set.overrides == [override(id, .jobTitle, "Chief People Officer")])
        #expect(set.effective.jobTitle == "Chief People Officer")
        #expect(try await store.contactsGeneration(tenant: tenant) == generation + 1)

        // The same field again replaces the override; another field adds one; hidden is NULL.
        _ = try await store.setContactOverride(tenant: tenant, override(id, .jobTitle, "CPO", at: 200))
        let hidden = try await store.setContactOverride(tenant: tenant, override(id, .mobilePhone, nil, at: 300))
        #expect(
            hidden.overrides == [override(id, .jobTitle, "CPO", at: 200), override(id, .mobilePhone, nil, at: 300)]
        )
        #expect(hidden.effective.jobTitle == "CPO" && hidden.effective.mobilePhone == nil)
        #expect(hidden.directory.mobilePhone != nil)
        #expect(try await store.contactsGeneration(tenant: tenant) == generation + 3)

        let read = try await store.contactOverrides(tenant: tenant, contactIDs: [id, contacts[0].id, "nobody"])
        #expect(read == [id: hidden.overrides])
        #expect(try await store.contactOverrides(tenant: tenant) == [id: hidden.overrides])

        let (cleared, removed) = try await store.clearContactOverride(tenant: tenant, contactID: id, field: .jobTitle)
        #expect(removed)
        #expect(cleared.overrides == [override(id, .mobilePhone, nil, at: 300)])
        #expect(cleared.effective.jobTitle == contacts[1].jobTitle)
        #expect(try await store.contactsGeneration(tenant: tenant) == generation + 4)

        // Clearing a field without an override changes nothing, the generation included.
        let (again, removedAgain) = try await store.clearContactOverride(
            tenant: tenant,
            contactID: id,
            field: .jobTitle
        )
        #expect(!removedAgain)
        #expect(again == cleared)
        #expect(try await store.contactsGeneration(tenant: tenant) == generation + 4)
        await fixture.tearDown()
    }

    @Test(
        "every kind of field round-trips: phones one a line, extension attributes, additional properties",
        arguments: StoreKind.allCases
    )
    func everyKindOfField(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        var contact = SampleContacts.contact(7)
        contact.attributes = ["employeeId": "E-7", "costCentre": "4410"]
        _ = try await apply(store, job: "first", [contact], now: 1)
        for value in [
            override(contact.id, .businessPhones, "+44 20 7946 0958\n+44 20 7946 0999"),
            override(contact.id, .extensionAttribute(15), "Sign-off: \"Kind regards\" 👋"),
            override(contact.id, .attribute("employeeId"), "E-7b"),
            override(contact.id, .attribute("costCentre"), nil),
        ] {
            _ = try await store.setContactOverride(tenant: tenant, value)
        }
        let overrides = try #require(try await store.contactOverrides(tenant: tenant)[contact.id])
        let effective = OverriddenContact(directory: contact, overrides: overrides).effective
        #expect(effective.businessPhones == ["+44 20 7946 0958", "+44 20 7946 0999"])
        #expect(effective.extensionAttributes[14] == "Sign-off: \"Kind regards\" 👋")
        #expect(effective.attributes == ["employeeId": "E-7b"])
        #expect(
            overrides.map(\.field.name) == [
                "attributes.costCentre", "attributes.employeeId", "business_phones", "extension_attributes.15",
            ]
        )
        await fixture.tearDown()
    }

    @Test("a contact the tenant does not have is NOT_FOUND, and nothing is written", arguments: StoreKind.allCases)
    func unknownContact(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let contacts = SampleContacts.contacts(0..<2)
        _ = try await apply(store, job: "first", contacts, now: 1)
        // Another tenant's contact is as unknown as a made-up id.
        try await store.createTenant(StoreFixture.tenantRecord(id: "tenant-2"))
        let generation = try await store.contactsGeneration(tenant: tenant)
        let attempts: [(tenant: String, id: String)] = [("tenant-2", contacts[0].id), (tenant, "nobody")]
        for (owner, id) in attempts {
            let error = await #expect(throws: StoreError.self) {
                _ = try await store.setContactOverride(tenant: owner, override(id, .city, "x"))
            }
            #expect(error?.code == .notFound)
            #expect(error?.message.contains("no contact with id \(id)") == true, "\(error?.message ?? "")")
            let cleared = await #expect(throws: StoreError.self) {
                _ = try await store.clearContactOverride(tenant: owner, contactID: id, field: .city)
            }
            #expect(cleared?.code == .notFound)
        }
        #expect(try await store.contactOverrides(tenant: tenant).isEmpty)
        #expect(try await store.contactOverrides(tenant: "tenant-2").isEmpty)
        #expect(try await store.contactsGeneration(tenant: tenant) == generation)
        await fixture.tearDown()
    }

    @Test(
        "a sync that changes the directory's value keeps the override; the directory's value moves on beneath it",
        arguments: StoreKind.allCases
    )
    func survivesApplies(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        var contacts = SampleContacts.contacts(0..<3)
        _ = try await apply(store, job: "first", contacts, now: 1)
        let id = contacts[0].id
        let set = try await store.setContactOverride(tenant: tenant, override(id, .jobTitle, "Chief People Officer"))

        // A full sync with a new title for the contact.
        contacts[0].jobTitle = "Head of People"
        #expect(
            try await apply(store, job: "full", contacts, now: 2)
                == ApplyCounts(updated: 1, unchanged: 2, totalAfter: 3)
        )
        #expect(try await store.contactOverrides(tenant: tenant) == [id: set.overrides])
        let stored = try #require(try await store.contact(tenant: tenant, id: id))
        #expect(stored.jobTitle == "Head of People")
        #expect(
            OverriddenContact(directory: stored, overrides: set.overrides).effective.jobTitle == "Chief People Officer"
        )

        // A delta sync changing it again, and removing someone else.
        contacts[0].jobTitle = "Head of People & Culture"
        let delta = try await apply(
            store,
            job: "delta",
            [contacts[0]],
            removals: [contacts[2].id],
            kind: .incremental,
            now: 3
        )
        #expect(delta == ApplyCounts(updated: 1, removed: 1, totalAfter: 2))
        #expect(try await store.contactOverrides(tenant: tenant) == [id: set.overrides])
        #expect(try await store.contact(tenant: tenant, id: id)?.jobTitle == "Head of People & Culture")
        await fixture.tearDown()
    }

    @Test(
        "a contact that leaves the store takes its overrides with it, and does not get them back on its return",
        arguments: StoreKind.allCases
    )
    func removedWithTheContact(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let contacts = SampleContacts.contacts(0..<4)
        _ = try await apply(store, job: "first", contacts, now: 1)
        for contact in contacts {
            _ = try await store.setContactOverride(tenant: tenant, override(contact.id, .displayName, "Someone"))
            _ = try await store.setContactOverride(tenant: tenant, override(contact.id, .city, nil))
        }

        // A full sync without contacts 0 and 1 (as when the scope narrows to a group).
        #expect(
            try await apply(store, job: "narrow", Array(contacts[2...]), now: 2)
                == ApplyCounts(removed: 2, unchanged: 2, totalAfter: 2)
        )
        #expect(Set(try await store.contactOverrides(tenant: tenant).keys) == [contacts[2].id, contacts[3].id])

        // A delta sync removing contact 2.
        _ = try await apply(store, job: "delta", [], removals: [contacts[2].id], kind: .incremental, now: 3)
        #expect(Set(try await store.contactOverrides(tenant: tenant).keys) == [contacts[3].id])

        // Back in scope: the contact returns as the directory has it, without its old overrides.
        _ = try await apply(store, job: "widen", contacts, now: 4)
        #expect(Set(try await store.contactOverrides(tenant: tenant).keys) == [contacts[3].id])
        #expect(try await store.contactOverrides(tenant: tenant, contactIDs: contacts.map(\.id)).count == 1)
        await fixture.tearDown()
    }

    @Test("an apply its limits refuse rolls back and leaves every override", arguments: StoreKind.allCases)
    func refusedApplyKeepsOverrides(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let contacts = SampleContacts.contacts(0..<10)
        _ = try await apply(store, job: "first", contacts, now: 1)
        _ = try await store.setContactOverride(tenant: tenant, override(contacts[9].id, .surname, "Ødegård"))
        try await store.stage(job: "fewer", contacts: Array(contacts[0..<5]), removals: [])
        let outcome = try await store.apply(
            job: "fewer",
            tenant: tenant,
            kind: .replaceAll,
            now: 2,
            deltaLink: nil,
            limits: ApplyLimits(maximumRemovals: 2, refuseEmptying: true)
        )
        guard case .refused = outcome else {
            Issue.record("the apply was not refused: \(outcome)")
            return
        }
        #expect(try await store.contactOverrides(tenant: tenant).keys.sorted() == [contacts[9].id])
        await fixture.tearDown()
    }
}

extension ContactRecord {
    /// This contact with `changedAt` set, as the store returns it after an apply at that time.
    func with(changedAt time: Int64) -> ContactRecord {
        var copy = self
        copy.changedAt = time
        return copy
    }
}
