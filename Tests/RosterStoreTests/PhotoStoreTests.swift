import RosterStore
import RosterStoreTestSupport
import Testing

/// Photos in both stores: written, replaced and deleted one by one, kept only beside a contact,
/// deleted with it inside the apply, read with the contact as its etag, and the tenant's switch.
@Suite("Contact photos in the store", .postgresCluster)
struct PhotoStoreTests {
    let tenant = StoreFixture.tenant

    static func photo(_ etag: String, bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0, 255], at time: Int64 = 5)
        -> ContactPhoto
    {
        ContactPhoto(etag: etag, contentType: "image/png", bytes: bytes, changedAt: time)
    }

    func apply(_ store: any Store, job: String, _ contacts: [ContactRecord], kind: ApplyKind = .replaceAll)
        async throws -> ApplyCounts
    {
        try await store.stage(job: job, contacts: contacts, removals: [])
        return try await store.apply(job: job, tenant: tenant, kind: kind, now: 1, deltaLink: nil)
    }

    @Test("a photo is written, read back byte for byte, replaced, deleted", arguments: StoreKind.allCases)
    func roundTrip(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let contacts = SampleContacts.contacts(0..<3)
        _ = try await apply(store, job: "j1", contacts)
        let id = contacts[1].id
        #expect(try await store.photo(tenant: tenant, contactID: id) == nil)
        #expect(try await store.photoETags(tenant: tenant) == [:])

        let big = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(try await store.setPhoto(Self.photo("\"a\"", bytes: big), tenant: tenant, contactID: id))
        #expect(try await store.photo(tenant: tenant, contactID: id) == Self.photo("\"a\"", bytes: big))
        #expect(try await store.photoETags(tenant: tenant) == [id: "\"a\""])
        #expect(try await store.contact(tenant: tenant, id: id)?.photoETag == "\"a\"")
        #expect(try await store.contact(tenant: tenant, id: contacts[0].id)?.photoETag == nil)
        let listed = try await store.contacts(tenant: tenant, after: nil, limit: 10)
        #expect(listed.count == 3)
        #expect(listed.allSatisfy { $0.photoETag == ($0.id == id ? "\"a\"" : nil) })
        #expect(try await store.contacts(tenant: tenant, ids: [id])[id]?.photoETag == "\"a\"")
        if let mail = contacts[1].mail {
            #expect(try await store.contact(tenant: tenant, address: mail)?.photoETag == "\"a\"")
        }

        #expect(try await store.setPhoto(Self.photo("\"b\"", at: 9), tenant: tenant, contactID: id))
        #expect(try await store.photo(tenant: tenant, contactID: id) == Self.photo("\"b\"", at: 9))
        #expect(try await store.setPhoto(nil, tenant: tenant, contactID: id))
        #expect(try await store.photo(tenant: tenant, contactID: id) == nil)
        #expect(try await store.setPhoto(nil, tenant: tenant, contactID: id) == false, "nothing left to delete")
        #expect(try await store.contact(tenant: tenant, id: id)?.photoETag == nil)
        await fixture.tearDown()
    }

    @Test("a photo is kept only beside a contact of that tenant", arguments: StoreKind.allCases)
    func onlyBesideAContact(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        _ = try await apply(store, job: "j1", SampleContacts.contacts(0..<1))
        try await store.createTenant(StoreFixture.tenantRecord(id: "tenant-2"))
        #expect(try await store.setPhoto(Self.photo("\"x\""), tenant: tenant, contactID: "no-such-contact") == false)
        let id = SampleContacts.guid(0)
        #expect(try await store.setPhoto(Self.photo("\"x\""), tenant: "tenant-2", contactID: id) == false)
        #expect(try await store.photoETags(tenant: "tenant-2") == [:])
        #expect(try await store.photo(tenant: "tenant-2", contactID: id) == nil)
        #expect(try await store.photoETags(tenant: tenant) == [:])
        await fixture.tearDown()
    }

    @Test(
        "photos of removed contacts go with them in the apply; a refused apply keeps them",
        arguments: StoreKind.allCases
    )
    func removedWithTheirContacts(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        let contacts = SampleContacts.contacts(0..<4)
        _ = try await apply(store, job: "j1", contacts)
        for contact in contacts {
            #expect(try await store.setPhoto(Self.photo("\"\(contact.id)\""), tenant: tenant, contactID: contact.id))
        }
        // A refused apply (the limits) rolls back: the photos stay.
        try await store.stage(job: "j2", contacts: [], removals: [])
        var limits = ApplyLimits.none
        limits.refuseEmptying = true
        let refused = try await store.apply(
            job: "j2",
            tenant: tenant,
            kind: .replaceAll,
            now: 2,
            deltaLink: nil,
            limits: limits
        )
        guard case .refused = refused else {
            Issue.record("the apply emptying the tenant was not refused: \(refused)")
            return
        }
        try await store.discardStaging(job: "j2")
        #expect(try await store.photoETags(tenant: tenant).count == 4)

        // A full apply without contacts 0 and 1, then an incremental removal of 2.
        #expect(try await apply(store, job: "j3", Array(contacts[2...])).removed == 2)
        #expect(Set(try await store.photoETags(tenant: tenant).keys) == [contacts[2].id, contacts[3].id])
        try await store.stage(job: "j4", contacts: [], removals: [contacts[2].id])
        _ = try await store.apply(job: "j4", tenant: tenant, kind: .incremental, now: 3, deltaLink: nil)
        #expect(try await store.photoETags(tenant: tenant) == [contacts[3].id: "\"\(contacts[3].id)\""])
        #expect(try await store.photo(tenant: tenant, contactID: contacts[0].id) == nil)
        // An update of the contact keeps its photo.
        var changed = contacts[3]
        changed.jobTitle = "Changed"
        #expect(try await apply(store, job: "j5", [changed], kind: .incremental).updated == 1)
        #expect(try await store.contact(tenant: tenant, id: changed.id)?.photoETag == "\"\(changed.id)\"")
        await fixture.tearDown()
    }

    @Test("sync_photos is on for a new tenant and round-trips", arguments: StoreKind.allCases)
    func tenantSwitch(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        var record = try #require(try await fixture.store.tenant(id: tenant))
        #expect(record.syncPhotos)
        record.syncPhotos = false
        try await fixture.store.updateTenant(record)
        #expect(try await fixture.store.tenant(id: tenant)?.syncPhotos == false)
        #expect(try await fixture.store.tenants().first?.syncPhotos == false)
        await fixture.tearDown()
    }
}
