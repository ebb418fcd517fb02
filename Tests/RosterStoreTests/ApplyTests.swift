import RosterStore
import RosterStoreTestSupport
import Testing

@Suite("Apply step", .postgresCluster)
struct ApplyTests {
    let tenant = StoreFixture.tenant

    /// Stages `contacts` (in pages of 7, as the sync engine does) and `removals` for `job`.
    func stage(_ store: any Store, job: String, _ contacts: [ContactRecord], removals: [String] = []) async throws {
        var start = 0
        while start < contacts.count {
            try await store.stage(
                job: job,
                contacts: Array(contacts[start..<min(start + 7, contacts.count)]),
                removals: []
            )
            start += 7
        }
        try await store.stage(job: job, contacts: [], removals: removals)
    }

    func allContacts(_ store: any Store) async throws -> [ContactRecord] {
        try await store.contacts(tenant: tenant, after: nil, limit: 1_000_000)
    }

    @Test(
        "every field round-trips exactly, nil and empty kept apart, phones with quotes and commas",
        arguments: StoreKind.allCases
    )
    func fieldsRoundTrip(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        var contact = SampleContacts.contact(1)
        contact.businessPhones = ["+1 \"555\", ext\\1", "", "☎ 2"]
        contact.faxNumber = ""
        contact.state = nil
        contact.extensionAttributes = (1...15).map { $0 % 2 == 0 ? "ext\($0)" : nil }
        try await stage(fixture.store, job: "j", [contact])
        let counts = try await fixture.store.apply(job: "j", tenant: tenant, kind: .replaceAll, now: 42, deltaLink: nil)
        #expect(counts == ApplyCounts(added: 1, totalAfter: 1))
        contact.changedAt = 42
        #expect(try await fixture.store.contact(tenant: tenant, id: contact.id) == contact)
        #expect(try await fixture.store.contact(tenant: tenant, address: "USER1@contoso.example") == contact)
        await fixture.tearDown()
    }

    @Test(
        "the first apply into a tenant without contacts: each contact's last staged version, removals left out, changes in id order",
        arguments: StoreKind.allCases
    )
    func intoEmptyTenant(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        // Staged out of id order, contact 2 twice (the later version wins), contact 4 then removed.
        try await stage(store, job: "j", [5, 2, 4, 1].map { SampleContacts.contact($0) })
        try await stage(
            store,
            job: "j",
            [SampleContacts.contact(2, version: 1)],
            removals: [SampleContacts.guid(4), SampleContacts.guid(9)]
        )
        let counts = try await store.apply(job: "j", tenant: tenant, kind: .replaceAll, now: 7, deltaLink: "d1")
        #expect(counts == ApplyCounts(added: 3, totalAfter: 3))
        let contacts = try await allContacts(store)
        let ids = [1, 2, 5].map(SampleContacts.guid).sorted()  // contacts come in id order
        #expect(contacts.map(\.id) == ids)
        #expect(
            contacts.first { $0.id == SampleContacts.guid(2) }?.jobTitle
                == SampleContacts.contact(2, version: 1).jobTitle
        )
        #expect(contacts.allSatisfy { $0.changedAt == 7 })
        let changes = try await store.changes(tenant: tenant, after: 0, limit: 100).changes
        #expect(changes.map(\.sequence) == [1, 2, 3])
        #expect(changes.map(\.contactID) == ids)
        #expect(changes.allSatisfy { $0.kind == .added && $0.changedAt == 7 })
        #expect(try await store.tenant(id: tenant)?.deltaLink == "d1")
        #expect(try await store.cleanStaging(except: []) == 0, "the staging was left behind")
        await fixture.tearDown()
    }

    @Test(
        "limits: an apply that removes too many, or empties the tenant, rolls back and reports its counts",
        arguments: StoreKind.allCases
    )
    func limits(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await stage(fixture.store, job: "first", SampleContacts.contacts(0..<50))
        _ = try await fixture.store.apply(job: "first", tenant: tenant, kind: .replaceAll, now: 1, deltaLink: nil)
        let before = try await allContacts(fixture.store)

        try await stage(fixture.store, job: "fewer", SampleContacts.contacts(0..<30))
        let refused = try await fixture.store.apply(
            job: "fewer",
            tenant: tenant,
            kind: .replaceAll,
            now: 2,
            deltaLink: "link",
            limits: ApplyLimits(maximumRemovals: 19, refuseEmptying: true)
        )
        #expect(refused == .refused(ApplyCounts(removed: 20, unchanged: 30, totalAfter: 30)))
        #expect(try await allContacts(fixture.store) == before, "nothing written")
        #expect(try await fixture.store.tenant(id: tenant)?.deltaLink == nil)
        #expect(
            try await fixture.store.plan(job: "fewer", tenant: tenant, kind: .replaceAll, sampleLimit: 0).counts.removed
                == 20,
            "the staging is still there"
        )
        let applied = try await fixture.store.apply(
            job: "fewer",
            tenant: tenant,
            kind: .replaceAll,
            now: 2,
            deltaLink: nil,
            limits: ApplyLimits(maximumRemovals: 20, refuseEmptying: true)
        )
        #expect(applied == .applied(ApplyCounts(removed: 20, unchanged: 30, totalAfter: 30)))

        try await stage(fixture.store, job: "none", [])
        let emptying = try await fixture.store.apply(
            job: "none",
            tenant: tenant,
            kind: .replaceAll,
            now: 3,
            deltaLink: nil,
            limits: ApplyLimits(maximumRemovals: nil, refuseEmptying: true)
        )
        #expect(emptying == .refused(ApplyCounts(removed: 30, totalAfter: 0)))
        #expect(try await allContacts(fixture.store).count == 30)
        await fixture.tearDown()
    }

    @Test(
        "a full sync adds, updates only changed rows, removes everyone not staged, and counts each",
        arguments: StoreKind.allCases
    )
    func replaceAll(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await stage(fixture.store, job: "first", SampleContacts.contacts(0..<100))
        #expect(
            try await fixture.store.apply(job: "first", tenant: tenant, kind: .replaceAll, now: 1, deltaLink: nil)
                == ApplyCounts(added: 100, totalAfter: 100)
        )
        // 10 removed (0..<10), 10 added (100..<110), every 9th of the kept ones changed.
        let next = SampleContacts.contacts(10..<110, updateEvery: 9)
        let changed = (10..<100).filter { $0 % 9 == 0 }.count
        try await stage(fixture.store, job: "second", next)
        let counts = try await fixture.store.apply(
            job: "second",
            tenant: tenant,
            kind: .replaceAll,
            now: 2,
            deltaLink: "delta-1"
        )
        #expect(
            counts == ApplyCounts(added: 10, updated: changed, removed: 10, unchanged: 90 - changed, totalAfter: 100)
        )
        let stored = try await allContacts(fixture.store)
        #expect(stored.map(\.id).sorted() == next.map(\.id).sorted())
        // changed_at moves only for rows that were added or changed.
        let stamped = Set(stored.filter { $0.changedAt == 2 }.map(\.id))
        let expected = Set((10..<110).filter { $0 >= 100 || $0 % 9 == 0 }.map(SampleContacts.guid))
        #expect(stamped == expected)
        #expect(try await fixture.store.tenant(id: tenant)?.deltaLink == "delta-1")
        await fixture.tearDown()
    }

    @Test(
        "a delta sync applies upserts and explicit removals and leaves everyone else alone",
        arguments: StoreKind.allCases
    )
    func incremental(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await stage(fixture.store, job: "full", SampleContacts.contacts(0..<20))
        _ = try await fixture.store.apply(job: "full", tenant: tenant, kind: .replaceAll, now: 1, deltaLink: nil)
        let upserts = [SampleContacts.contact(3, version: 1), SampleContacts.contact(4), SampleContacts.contact(50)]
        try await stage(
            fixture.store,
            job: "delta",
            upserts,
            removals: [SampleContacts.guid(5), SampleContacts.guid(6), "not-there"]
        )
        let counts = try await fixture.store.apply(
            job: "delta",
            tenant: tenant,
            kind: .incremental,
            now: 2,
            deltaLink: nil
        )
        #expect(counts == ApplyCounts(added: 1, updated: 1, removed: 2, unchanged: 1, totalAfter: 19))
        #expect(
            try await fixture.store.contact(tenant: tenant, id: SampleContacts.guid(3))?.jobTitle
                == "Senior Consultant 3"
        )
        #expect(try await fixture.store.contact(tenant: tenant, id: SampleContacts.guid(5)) == nil)
        #expect(try await fixture.store.contact(tenant: tenant, id: SampleContacts.guid(7)) != nil)
        // Several at once, as a delta page reads them: the ones that exist, by id.
        let ids = [
            SampleContacts.guid(3), SampleContacts.guid(5), SampleContacts.guid(7), SampleContacts.guid(3), "not-there",
        ]
        let found = try await fixture.store.contacts(tenant: tenant, ids: ids)
        #expect(Set(found.keys) == [SampleContacts.guid(3), SampleContacts.guid(7)])
        #expect(
            found[SampleContacts.guid(3)]
                == (try await fixture.store.contact(tenant: tenant, id: SampleContacts.guid(3)))
        )
        #expect(try await fixture.store.contacts(tenant: "other", ids: ids).isEmpty)
        await fixture.tearDown()
    }

    @Test(
        "a contact staged twice keeps its last version, whether an upsert or a removal",
        arguments: StoreKind.allCases
    )
    func lastStagedWins(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await stage(fixture.store, job: "full", SampleContacts.contacts(0..<3))
        _ = try await fixture.store.apply(job: "full", tenant: tenant, kind: .replaceAll, now: 1, deltaLink: nil)
        try await fixture.store.stage(
            job: "delta",
            contacts: [SampleContacts.contact(7, version: 1)],
            removals: [SampleContacts.guid(0)]
        )
        try await fixture.store.stage(
            job: "delta",
            contacts: [SampleContacts.contact(7), SampleContacts.contact(0)],
            removals: []
        )
        try await fixture.store.stage(job: "delta", contacts: [], removals: [SampleContacts.guid(7)])
        let plan = try await fixture.store.plan(job: "delta", tenant: tenant, kind: .incremental, sampleLimit: 5)
        #expect(plan.counts == ApplyCounts(added: 0, updated: 0, removed: 0, unchanged: 1, totalAfter: 3))
        try await fixture.store.stage(job: "delta", contacts: [SampleContacts.contact(2, version: 1)], removals: [])
        try await fixture.store.stage(job: "delta", contacts: [SampleContacts.contact(2)], removals: [])
        try await fixture.store.stage(job: "delta", contacts: [SampleContacts.contact(2, version: 1)], removals: [])
        let counts = try await fixture.store.apply(
            job: "delta",
            tenant: tenant,
            kind: .incremental,
            now: 2,
            deltaLink: nil
        )
        #expect(counts == ApplyCounts(added: 0, updated: 1, removed: 0, unchanged: 1, totalAfter: 3))
        #expect(
            try await fixture.store.contact(tenant: tenant, id: SampleContacts.guid(2))?.jobTitle
                == "Senior Consultant 2"
        )
        await fixture.tearDown()
    }

    @Test(
        "the dry run reports the same counts as the apply, samples each action, and writes nothing",
        arguments: StoreKind.allCases
    )
    func dryRun(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await stage(fixture.store, job: "full", SampleContacts.contacts(0..<60))
        _ = try await fixture.store.apply(job: "full", tenant: tenant, kind: .replaceAll, now: 1, deltaLink: nil)
        let before = try await allContacts(fixture.store)
        try await stage(fixture.store, job: "next", SampleContacts.contacts(25..<90, updateEvery: 2))
        let plan = try await fixture.store.plan(job: "next", tenant: tenant, kind: .replaceAll, sampleLimit: 20)
        #expect(try await allContacts(fixture.store) == before)
        #expect(plan.toAdd.count == 20)
        #expect(plan.toRemove.count == 20)
        #expect(plan.toUpdate.count == 17)
        #expect(plan.toRemove.allSatisfy { entry in (0..<25).contains { SampleContacts.guid($0) == entry.id } })
        #expect(plan.toAdd.first?.displayName != nil)
        let counts = try await fixture.store.apply(
            job: "next",
            tenant: tenant,
            kind: .replaceAll,
            now: 2,
            deltaLink: nil
        )
        #expect(plan.counts == counts)
        #expect(counts == ApplyCounts(added: 30, updated: 17, removed: 25, unchanged: 18, totalAfter: 65))
        await fixture.tearDown()
    }

    @Test(
        "staging is deleted by apply and discard; cleanStaging removes only dead jobs' leftovers",
        arguments: StoreKind.allCases
    )
    func stagingLifecycle(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await stage(fixture.store, job: "applied", SampleContacts.contacts(0..<5))
        try await stage(fixture.store, job: "cancelled", SampleContacts.contacts(0..<5))
        try await stage(fixture.store, job: "dead", SampleContacts.contacts(0..<5))
        try await stage(fixture.store, job: "live", SampleContacts.contacts(0..<5))
        _ = try await fixture.store.apply(job: "applied", tenant: tenant, kind: .replaceAll, now: 1, deltaLink: nil)
        try await fixture.store.discardStaging(job: "cancelled")
        #expect(try await fixture.store.cleanStaging(except: ["live"]) == 5)
        let live = try await fixture.store.plan(job: "live", tenant: tenant, kind: .replaceAll, sampleLimit: 0)
        #expect(live.counts.unchanged == 5)
        let gone = try await fixture.store.plan(job: "applied", tenant: tenant, kind: .replaceAll, sampleLimit: 0)
        #expect(gone.counts.removed == 5)
        await fixture.tearDown()
    }

    @Test("contacts of one tenant are never touched by another tenant's apply", arguments: StoreKind.allCases)
    func tenantIsolation(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await fixture.store.createTenant(StoreFixture.tenantRecord(id: "other"))
        try await stage(fixture.store, job: "a", SampleContacts.contacts(0..<10))
        _ = try await fixture.store.apply(job: "a", tenant: tenant, kind: .replaceAll, now: 1, deltaLink: nil)
        try await stage(fixture.store, job: "b", SampleContacts.contacts(5..<8))
        #expect(
            try await fixture.store.apply(job: "b", tenant: "other", kind: .replaceAll, now: 1, deltaLink: nil).added
                == 3
        )
        #expect(try await fixture.store.contactCount(tenant: tenant) == 10)
        #expect(try await fixture.store.contactCount(tenant: "other") == 3)
        await #expect(throws: StoreError.self) {
            try await fixture.store.apply(job: "c", tenant: "missing", kind: .replaceAll, now: 1, deltaLink: nil)
        }
        await fixture.tearDown()
    }

    @Test(
        "the generation moves only when an apply changes contacts; addresses match ignoring case",
        arguments: StoreKind.allCases
    )
    func generationAndAddresses(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        #expect(try await fixture.store.contactsGeneration(tenant: tenant) == 0)
        try await stage(fixture.store, job: "a", SampleContacts.contacts(0..<5))
        _ = try await fixture.store.apply(job: "a", tenant: tenant, kind: .replaceAll, now: 1, deltaLink: nil)
        #expect(try await fixture.store.contactsGeneration(tenant: tenant) == 1)
        try await stage(fixture.store, job: "b", SampleContacts.contacts(0..<5))
        _ = try await fixture.store.apply(job: "b", tenant: tenant, kind: .replaceAll, now: 2, deltaLink: nil)
        #expect(try await fixture.store.contactsGeneration(tenant: tenant) == 1, "nothing changed")
        #expect(try await fixture.store.contactsGeneration(tenant: "missing") == 0)
        let upn = "USER2@Contoso.Example"
        #expect(try await fixture.store.contact(tenant: tenant, userPrincipalName: upn)?.id == SampleContacts.guid(2))
        #expect(try await fixture.store.contact(tenant: tenant, address: upn)?.id == SampleContacts.guid(2))
        #expect(try await fixture.store.contact(tenant: tenant, address: "nobody@contoso.example") == nil)
        #expect(try await fixture.store.contact(tenant: "other", address: upn) == nil)
        await fixture.tearDown()
    }

    @Test("paging by id visits every contact once, in order", arguments: StoreKind.allCases)
    func paging(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await stage(fixture.store, job: "a", SampleContacts.contacts(0..<25))
        _ = try await fixture.store.apply(job: "a", tenant: tenant, kind: .replaceAll, now: 1, deltaLink: nil)
        var seen: [String] = []
        var after: String?
        while true {
            let page = try await fixture.store.contacts(tenant: tenant, after: after, limit: 10)
            if page.isEmpty { break }
            seen += page.map(\.id)
            after = page.last?.id
        }
        #expect(seen == (0..<25).map(SampleContacts.guid).sorted())
        await fixture.tearDown()
    }
}
