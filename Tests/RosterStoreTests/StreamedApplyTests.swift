import Foundation
import PostgresTestSupport
import RosterPostgres
import RosterStore
import RosterStoreTestSupport
import Testing

/// A first sync written while it fetches (``StreamedApply``, PostgreSQL only): what readers see,
/// the counts, the change feed, and what a discard, a lost connection or a rival writer leave.
@Suite("Streamed apply", .postgresCluster, .timeLimit(.minutes(10)))
struct StreamedApplyTests {
    let tenant = StoreFixture.tenant

    /// A PostgreSQL store with one tenant, its streamed applies configured by `configure`.
    func makeStore(
        _ configure: (inout PostgresStoreConfiguration) -> Void = { _ in }
    ) async throws -> (PostgresStore, String) {
        var (configuration, database) = try await StoreFixture.makePostgresDatabase()
        configure(&configuration)
        let store = try await PostgresStore.open(configuration: configuration, masterKey: try MasterKey.random())
        try await store.createTenant(StoreFixture.tenantRecord(id: tenant))
        return (store, database)
    }

    func allContacts(_ store: any Store) async throws -> [ContactRecord] {
        try await store.contacts(tenant: tenant, after: nil, limit: 1_000_000)
    }

    @Test("pages written as they come: nothing visible before the commit, then each contact's last version once")
    func writeAndCommit() async throws {
        let (store, database) = try await makeStore()
        let apply = try #require(try await store.beginStreamedApply(job: "j", tenant: tenant, now: 7))
        // Out of id order; contact 2 again on the next page, contact 6 twice on one page.
        var awkward = SampleContacts.contact(1)
        awkward.businessPhones = ["+1 \"555\", ext\\1", "", "☎ 2"]
        awkward.jobTitle = "tab\there,\nnew line\\N"
        awkward.state = nil
        awkward.faxNumber = ""
        try await apply.write([5, 2, 4].map { SampleContacts.contact($0) } + [awkward])
        try await apply.write(
            [SampleContacts.contact(2, version: 1), SampleContacts.contact(3), SampleContacts.contact(6)]
                + [SampleContacts.contact(6, version: 1)]
        )
        #expect(try await allContacts(store).isEmpty, "a reader saw contacts before the commit")
        let seenElsewhere = try await PostgresCluster.shared.psql(
            "SELECT count(*) FROM contacts",
            database: database
        )
        #expect(seenElsewhere == "0")
        let counts = try await apply.commit(deltaLink: "d1")
        #expect(counts == ApplyCounts(added: 6, totalAfter: 6))
        let contacts = try await allContacts(store)
        let ids = (1...6).map(SampleContacts.guid).sorted()
        #expect(contacts.map(\.id) == ids)
        awkward.changedAt = 7
        #expect(contacts.first { $0.id == awkward.id } == awkward, "a field did not round-trip through COPY")
        for number in [2, 6] {
            #expect(
                contacts.first { $0.id == SampleContacts.guid(number) }?.jobTitle
                    == SampleContacts.contact(number, version: 1).jobTitle,
                "contact \(number) did not keep its last version"
            )
        }
        #expect(contacts.allSatisfy { $0.changedAt == 7 })
        let changes = try await store.changes(tenant: tenant, after: 0, limit: 100).changes
        #expect(changes.map(\.sequence) == Array(1...6))
        #expect(changes.map(\.contactID) == ids)
        #expect(changes.allSatisfy { $0.kind == .added && $0.changedAt == 7 })
        #expect(try await store.tenant(id: tenant)?.deltaLink == "d1")
        #expect(try await store.contactCount(tenant: tenant) == 6)
        await apply.discard()  // after a commit: nothing to undo
        #expect(try await allContacts(store).count == 6)
        await store.close()
    }

    @Test("none for a tenant with contacts, none past the store's limit (a slot back once one ends), none on SQLite")
    func whenOffered() async throws {
        let (store, _) = try await makeStore { $0.maximumStreamedApplies = 1 }
        let first = try #require(try await store.beginStreamedApply(job: "a", tenant: tenant, now: 1))
        #expect(try await store.beginStreamedApply(job: "b", tenant: "tenant-2", now: 1) == nil, "past the limit")
        await first.discard()
        let again = try #require(try await store.beginStreamedApply(job: "c", tenant: tenant, now: 1))
        try await again.write(SampleContacts.contacts(0..<3))
        _ = try await again.commit(deltaLink: nil)
        #expect(try await store.beginStreamedApply(job: "d", tenant: tenant, now: 2) == nil, "the tenant has contacts")
        try await store.createTenant(StoreFixture.tenantRecord(id: "tenant-2"))
        let other = try await store.beginStreamedApply(job: "e", tenant: "tenant-2", now: 2)
        #expect(other != nil, "the commit did not give its slot back")
        await other?.discard()
        await store.close()

        let (off, _) = try await makeStore { $0.maximumStreamedApplies = 0 }
        #expect(try await off.beginStreamedApply(job: "e", tenant: tenant, now: 1) == nil)
        await off.close()

        let sqlite = try await StoreFixture.make(.sqlite)
        #expect(try await sqlite.store.beginStreamedApply(job: "f", tenant: tenant, now: 1) == nil)
        await sqlite.tearDown()
    }

    @Test("discarded, or its connection cut mid-run, it leaves nothing behind, and the next first sync runs")
    func discardAndLostConnection() async throws {
        let (store, database) = try await makeStore { $0.maximumStreamedApplies = 1 }
        let discarded = try #require(try await store.beginStreamedApply(job: "a", tenant: tenant, now: 1))
        try await discarded.write(SampleContacts.contacts(0..<10))
        await discarded.discard()
        await discarded.discard()
        #expect(try await allContacts(store).isEmpty)
        let failed = await #expect(throws: StoreError.self) {
            try await discarded.write(SampleContacts.contacts(0..<1))
        }
        #expect(failed?.message.contains("has ended") == true, "\(failed?.message ?? "")")

        let cut = try #require(try await store.beginStreamedApply(job: "b", tenant: tenant, now: 1))
        try await cut.write(SampleContacts.contacts(0..<10))
        let terminated = try await PostgresCluster.shared.psql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                + "WHERE datname = current_database() AND state = 'idle in transaction'",
            database: database
        )
        #expect(terminated == "1")
        await #expect(throws: StoreError.self) { try await cut.write(SampleContacts.contacts(10..<20)) }
        await #expect(throws: StoreError.self) { _ = try await cut.commit(deltaLink: nil) }
        await cut.discard()
        #expect(try await allContacts(store).isEmpty)
        #expect(try await PostgresCluster.shared.psql("SELECT count(*) FROM contacts", database: database) == "0")

        let next = try #require(try await store.beginStreamedApply(job: "c", tenant: tenant, now: 2))
        try await next.write(SampleContacts.contacts(0..<4))
        #expect(try await next.commit(deltaLink: nil) == ApplyCounts(added: 4, totalAfter: 4))
        await store.close()
    }

    @Test("contacts that reach the tenant from elsewhere meanwhile: the commit is refused, nothing written")
    func rivalWriter() async throws {
        let (store, _) = try await makeStore {
            $0.maximumStreamedApplies = 2
            $0.streamedApplyLockWait = .milliseconds(300)
        }
        let first = try #require(try await store.beginStreamedApply(job: "a", tenant: tenant, now: 1))
        let rival = try #require(try await store.beginStreamedApply(job: "b", tenant: tenant, now: 1))
        try await first.write(SampleContacts.contacts(0..<3))
        // The same ids in another open transaction: the write waits for it, then gives up.
        let blocked = await #expect(throws: StoreError.self) { try await rival.write(SampleContacts.contacts(2..<4)) }
        #expect(blocked?.code == .conflict)
        #expect(
            blocked?.message.contains("another transaction is writing or wrote") == true,
            "\(blocked?.message ?? "")"
        )
        await rival.discard()
        // Other ids committed by a staged apply meanwhile: the first one's commit sees them.
        try await store.stage(job: "s", contacts: SampleContacts.contacts(10..<12), removals: [])
        _ = try await store.apply(job: "s", tenant: tenant, kind: .replaceAll, now: 2, deltaLink: nil)
        let refused = await #expect(throws: StoreError.self) { _ = try await first.commit(deltaLink: nil) }
        #expect(refused?.code == .conflict)
        #expect(refused?.message.contains("(5 found, 3 written by it)") == true, "\(refused?.message ?? "")")
        await first.discard()
        #expect(try await allContacts(store).map(\.id) == (10..<12).map(SampleContacts.guid).sorted())
        await store.close()
    }

    @Test("a contact another first sync committed meanwhile: the write is refused as a conflict, nothing written")
    func rivalCommitted() async throws {
        let (store, _) = try await makeStore { $0.maximumStreamedApplies = 2 }
        let first = try #require(try await store.beginStreamedApply(job: "a", tenant: tenant, now: 1))
        let rival = try #require(try await store.beginStreamedApply(job: "b", tenant: tenant, now: 1))
        try await rival.write([SampleContacts.contact(5)])
        _ = try await rival.commit(deltaLink: nil)
        let refused = await #expect(throws: StoreError.self) { try await first.write(SampleContacts.contacts(4..<6)) }
        #expect(refused?.code == .conflict)
        #expect(refused?.message.contains("with the same ids") == true, "\(refused?.message ?? "")")
        await #expect(throws: StoreError.self) { _ = try await first.commit(deltaLink: nil) }
        await first.discard()
        #expect(try await allContacts(store).map(\.id) == [SampleContacts.guid(5)])
        await store.close()
    }

    @Test("with the change feed off, the commit logs nothing and still counts")
    func feedOff() async throws {
        let (store, database) = try await makeStore { $0.logsChanges = false }
        let apply = try #require(try await store.beginStreamedApply(job: "j", tenant: tenant, now: 3))
        try await apply.write(SampleContacts.contacts(0..<5))
        try await apply.write(SampleContacts.contacts(3..<8))
        #expect(try await apply.commit(deltaLink: "d") == ApplyCounts(added: 8, totalAfter: 8))
        #expect(try await store.contactCount(tenant: tenant) == 8)
        #expect(
            try await PostgresCluster.shared.psql("SELECT count(*) FROM contact_changes", database: database) == "0"
        )
        await store.close()
    }
}
