import RosterStore
import RosterStoreTestSupport
import Testing

@Suite("Change feed in the store", .postgresCluster)
struct ChangeFeedStoreTests {
    let tenant = StoreFixture.tenant

    func sync(
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

    func all(_ store: any Store, after cursor: Int64 = 0) async throws -> [ContactChangeRecord] {
        try await store.changes(tenant: tenant, after: cursor, limit: 10_000).changes
    }

    @Test(
        "every add, update and removal of an apply is numbered 1, 2, 3 … in the same commit, with the contact as it is now",
        arguments: StoreKind.allCases
    )
    func numbered(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        #expect(try await store.changeCursor(tenant: tenant) == 0)
        #expect(try await sync(store, job: "a", SampleContacts.contacts(0..<5), now: 10).added == 5)
        var changes = try await all(store)
        #expect(changes.map(\.sequence) == [1, 2, 3, 4, 5])
        #expect(changes.allSatisfy { $0.kind == .added && $0.source == .directory && $0.changedAt == 10 })
        #expect(Set(changes.map(\.contactID)) == Set((0..<5).map(SampleContacts.guid)))
        #expect(changes[0].contact?.id == changes[0].contactID)
        #expect(try await store.changeCursor(tenant: tenant) == 5)

        // Contact 1 changes, 4 leaves, 2 and 3 stay as they were, 7 arrives.
        let next = [
            SampleContacts.contact(0), SampleContacts.contact(1, version: 1), SampleContacts.contact(2),
            SampleContacts.contact(3), SampleContacts.contact(7),
        ]
        let counts = try await sync(store, job: "b", next, now: 20)
        #expect(counts == ApplyCounts(added: 1, updated: 1, removed: 1, unchanged: 3, totalAfter: 5))
        changes = try await all(store, after: 5)
        #expect(changes.map(\.sequence) == [6, 7, 8])
        #expect(changes.map(\.kind) == [.removed, .updated, .added])
        #expect(changes.map(\.contactID) == [SampleContacts.guid(4), SampleContacts.guid(1), SampleContacts.guid(7)])
        #expect(changes[0].contact == nil, "a removed contact is read as absent")
        #expect(changes[1].contact?.jobTitle == SampleContacts.contact(1, version: 1).jobTitle)
        // The earlier "added" of contact 4 now reads without its contact: it was removed since.
        #expect(try await all(store).first { $0.contactID == SampleContacts.guid(4) }?.contact == nil)
        // An apply that changes nothing logs nothing.
        _ = try await sync(store, job: "c", next, now: 30)
        #expect(try await store.changeCursor(tenant: tenant) == 8)
        await fixture.tearDown()
    }

    @Test("paging by cursor returns each change once, in order, and stops at the newest", arguments: StoreKind.allCases)
    func paging(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        _ = try await sync(fixture.store, job: "a", SampleContacts.contacts(0..<23), now: 1)
        var cursor: Int64 = 0
        var seen: [Int64] = []
        while true {
            let page = try await fixture.store.changes(tenant: tenant, after: cursor, limit: 5)
            #expect(page.latest == 23)
            guard let last = page.changes.last else { break }
            seen += page.changes.map(\.sequence)
            cursor = last.sequence
        }
        #expect(seen == Array(1...23))
        await fixture.tearDown()
    }

    @Test(
        "a cursor before the pruned history, or ahead of the newest change, is refused as expired",
        arguments: StoreKind.allCases
    )
    func retention(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        _ = try await sync(store, job: "a", SampleContacts.contacts(0..<3), now: 100)
        _ = try await sync(store, job: "b", SampleContacts.contacts(0..<4), now: 200)
        #expect(try await store.pruneChanges(before: 150) == 3)
        await #expect(throws: StoreError.self) { try await store.changes(tenant: tenant, after: 0, limit: 10) }
        await #expect(throws: StoreError.self) { try await store.changes(tenant: tenant, after: 2, limit: 10) }
        let kept = try await store.changes(tenant: tenant, after: 3, limit: 10)
        #expect(kept.changes.map(\.sequence) == [4])
        do {
            _ = try await store.changes(tenant: tenant, after: 5, limit: 10)
            Issue.record("a cursor ahead of the newest change was accepted")
        } catch {
            #expect(error.code == .expired)
        }
        // Pruning again at the same cutoff removes nothing more.
        #expect(try await store.pruneChanges(before: 150) == 0)
        #expect(try await store.changeCursor(tenant: tenant) == 4)
        await fixture.tearDown()
    }

    @Test("a refused apply logs nothing; another tenant's feed is its own", arguments: StoreKind.allCases)
    func isolation(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        try await store.createTenant(StoreFixture.tenantRecord(id: "tenant-2"))
        _ = try await sync(store, job: "a", SampleContacts.contacts(0..<10), now: 1)
        try await store.stage(job: "b", contacts: SampleContacts.contacts(0..<2), removals: [])
        let outcome = try await store.apply(
            job: "b",
            tenant: tenant,
            kind: .replaceAll,
            now: 2,
            deltaLink: nil,
            limits: ApplyLimits(maximumRemovals: 3, refuseEmptying: true)
        )
        guard case .refused = outcome else {
            Issue.record("the apply was not refused: \(outcome)")
            return
        }
        #expect(try await store.changeCursor(tenant: tenant) == 10)
        try await store.stage(job: "c", contacts: SampleContacts.contacts(0..<2), removals: [])
        _ = try await store.apply(job: "c", tenant: "tenant-2", kind: .replaceAll, now: 3, deltaLink: nil)
        #expect(try await store.changeCursor(tenant: "tenant-2") == 2)
        #expect(try await store.changes(tenant: "tenant-2", after: 0, limit: 10).changes.map(\.sequence) == [1, 2])
        #expect(try await store.changeCursor(tenant: tenant) == 10)
        await fixture.tearDown()
    }

    @Test(
        "setting and clearing an override is a change of its own (source override); clearing nothing is none",
        arguments: StoreKind.allCases
    )
    func overrides(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        _ = try await sync(store, job: "a", SampleContacts.contacts(0..<3), now: 1)
        let id = SampleContacts.guid(1)
        let generation = store.changeSignal.generation(tenant: tenant)
        _ = try await store.setContactOverride(
            tenant: tenant,
            ContactOverrideRecord(
                contactID: id,
                field: .jobTitle,
                value: "Chief Feed Officer",
                setByKeyID: "k1",
                setByLabel: "editor",
                setAt: 50
            )
        )
        #expect(store.changeSignal.generation(tenant: tenant) > generation)
        let set = try await all(store, after: 3)
        #expect(set.map(\.sequence) == [4])
        #expect(set.first?.kind == .updated && set.first?.source == .override && set.first?.contactID == id)
        #expect(set.first?.changedAt == 50)
        _ = try await store.clearContactOverride(tenant: tenant, contactID: id, field: .jobTitle)
        _ = try await store.clearContactOverride(tenant: tenant, contactID: id, field: .jobTitle)
        let cleared = try await all(store, after: 4)
        #expect(cleared.map(\.sequence) == [5], "clearing a field without an override logged a change")
        #expect(cleared.first?.source == .override)
        await fixture.tearDown()
    }

    @Test(
        "storing, replacing and deleting a photo is a change of its own (source photo); an unchanged deletion is none",
        arguments: StoreKind.allCases
    )
    func photos(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let store = fixture.store
        _ = try await sync(store, job: "a", SampleContacts.contacts(0..<2), now: 1)
        let id = SampleContacts.guid(0)
        let photo = ContactPhoto(etag: "\"e1\"", contentType: "image/png", bytes: [1, 2, 3], changedAt: 70)
        #expect(try await store.setPhoto(photo, tenant: tenant, contactID: id))
        #expect(try await store.setPhoto(nil, tenant: tenant, contactID: id))
        #expect(try await store.setPhoto(nil, tenant: tenant, contactID: id) == false)
        let changes = try await all(store, after: 2)
        #expect(changes.map(\.sequence) == [3, 4])
        #expect(changes.allSatisfy { $0.source == .photo && $0.kind == .updated && $0.contactID == id })
        #expect(changes.first?.changedAt == 70)
        await fixture.tearDown()
    }

    @Test("with the feed off nothing is logged and applies count as before", arguments: StoreKind.allCases)
    func off(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind, logsChanges: false)
        let counts = try await sync(fixture.store, job: "a", SampleContacts.contacts(0..<4), now: 1)
        #expect(counts.added == 4)
        #expect(try await fixture.store.changeCursor(tenant: tenant) == 0)
        #expect(try await all(fixture.store).isEmpty)
        await fixture.tearDown()
    }

    @Test("a committed apply advances the tenant's change signal", arguments: StoreKind.allCases)
    func signal(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        let before = fixture.store.changeSignal.generation(tenant: tenant)
        _ = try await sync(fixture.store, job: "a", SampleContacts.contacts(0..<2), now: 1)
        #expect(fixture.store.changeSignal.generation(tenant: tenant) > before)
        await fixture.tearDown()
    }
}
