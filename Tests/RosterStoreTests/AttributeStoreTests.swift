import RosterStore
import RosterStoreTestSupport
import Testing

/// Additional user properties in both stores: the tenant's list, each contact's map, and the
/// apply step counting a change of the map as an update.
@Suite("Additional user properties in the store", .postgresCluster)
struct AttributeStoreTests {
    let tenant = StoreFixture.tenant

    func apply(_ store: any Store, job: String, _ contacts: [ContactRecord], now: Int64) async throws -> ApplyCounts {
        try await store.stage(job: job, contacts: contacts, removals: [])
        return try await store.apply(job: job, tenant: tenant, kind: .replaceAll, now: now, deltaLink: nil)
    }

    @Test("the tenant's list round-trips in order", arguments: StoreKind.allCases)
    func tenantList(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        var record = try #require(try await fixture.store.tenant(id: tenant))
        #expect(record.attributes == [])
        record.attributes = ["otherMails", "employeeId", "extension_0f2a9c4e8b7d4e1fa3c65d2b9e8f7a61_costCentre"]
        try await fixture.store.updateTenant(record)
        #expect(try await fixture.store.tenant(id: tenant)?.attributes == record.attributes)
        #expect(try await fixture.store.tenants().first?.attributes == record.attributes)
        await fixture.tearDown()
    }

    @Test(
        "a contact's map round-trips exactly; a changed, added or removed value is an update, the same map is not",
        arguments: StoreKind.allCases
    )
    func mapAndChanges(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        var contacts = SampleContacts.contacts(0..<4)
        contacts[0].attributes = [
            "employeeId": "E-1", "otherMails": "a@x.example\nb \"quoted\"@x.example", "ünïcode": "☎ \\ tab\t",
        ]
        contacts[1].attributes = ["employeeId": "E-2"]
        contacts[2].attributes = ["employeeId": "E-3", "usageLocation": "GB"]
        #expect(try await apply(fixture.store, job: "first", contacts, now: 1) == ApplyCounts(added: 4, totalAfter: 4))
        for contact in contacts {
            #expect(try await fixture.store.contact(tenant: tenant, id: contact.id)?.attributes == contact.attributes)
        }

        contacts[1].attributes["employeeId"] = "E-2b"  // changed
        contacts[2].attributes["usageLocation"] = nil  // removed
        contacts[3].attributes = ["employeeType": "Contractor"]  // added
        let counts = try await apply(fixture.store, job: "second", contacts, now: 2)
        #expect(counts == ApplyCounts(updated: 3, unchanged: 1, totalAfter: 4))
        for contact in contacts {
            let stored = try #require(try await fixture.store.contact(tenant: tenant, id: contact.id))
            #expect(stored.attributes == contact.attributes)
            #expect(stored.changedAt == (contact.id == contacts[0].id ? 1 : 2))
        }
        await fixture.tearDown()
    }
}
