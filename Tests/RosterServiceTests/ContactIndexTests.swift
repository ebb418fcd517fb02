import Foundation
import RosterDirectory
import RosterService
import RosterStore
import RosterSync
import Synchronization
import Testing

/// The in-memory contact index answers exactly what the contact search's matching rule says.
@Suite("Contact index")
struct ContactIndexTests {
    static func demoContacts() throws -> [ContactRecord] {
        try FileDirectory.demo().export.users.map(ContactRecord.init)
    }

    @Test("prefixes of the demo people's names and addresses: same contacts, same order, same total as a scan")
    func demoEquivalence() async throws {
        let contacts = try Self.demoContacts().sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        let index = ContactIndex(generation: 1, contacts: contacts.shuffled())
        var queries: Set<String> = ["", "'", "o'b", "obrien", "O’Brien", "smith\\jones", "zz", " a", "anna ", "东"]
        // Prefixes of 1, 2 and 4 characters of every 40th person's name, surname and addresses.
        for contact in stride(from: 0, to: contacts.count, by: 40).map({ contacts[$0] }) {
            for text in [contact.displayName, contact.mail, contact.userPrincipalName, contact.surname].compactMap({
                $0
            }) {
                for length in [1, 2, 4] where length <= text.count { queries.insert(String(text.prefix(length))) }
            }
        }
        for query in queries {
            // The scan is CPU work in a debug build: let the parallel suite's other tests run between queries.
            await Task.yield()
            let search = ContactSearch(query: query)
            let expected = contacts.filter(search.matches).map(\.id)
            let first = index.search(query, after: nil, pageSize: 50)
            #expect(first.total == expected.count, "total for \"\(query)\"")
            #expect(first.ids == Array(expected.prefix(50)), "page for \"\(query)\"")
            #expect(first.hasMore == (expected.count > 50))
            if expected.count > 60 {
                let next = index.search(query, after: expected[59], pageSize: 10)
                #expect(next.ids == Array(expected.dropFirst(60).prefix(10)), "page after for \"\(query)\"")
            }
        }
    }

    @Test(
        "an apply that changes contacts moves the generation, and the cache rebuilds its index; one that changes nothing does not"
    )
    func staleness() async throws {
        try await withTemporaryStore { store in
            var anna = ContactRecord(id: "c1")
            anna.displayName = "Anna Smith-Jones"
            try await store.stage(job: "j1", contacts: [anna], removals: [])
            _ = try await store.apply(job: "j1", tenant: "t", kind: .replaceAll, now: 1, deltaLink: nil)
            let cache = ContactIndexCache(capacity: 2)
            let first = try await cache.index(tenant: "t", store: store)
            #expect(first.search("jones", after: nil, pageSize: 10).ids == ["c1"])

            try await store.stage(job: "j2", contacts: [anna], removals: [])
            _ = try await store.apply(job: "j2", tenant: "t", kind: .replaceAll, now: 2, deltaLink: nil)
            #expect(try await cache.index(tenant: "t", store: store).generation == first.generation, "nothing changed")

            var seán = ContactRecord(id: "c2")
            seán.displayName = "Seán O'Brien"
            try await store.stage(job: "j3", contacts: [anna, seán], removals: [])
            _ = try await store.apply(job: "j3", tenant: "t", kind: .replaceAll, now: 3, deltaLink: nil)
            let rebuilt = try await cache.index(tenant: "t", store: store)
            #expect(rebuilt.generation > first.generation)
            #expect(rebuilt.search("obrien", after: nil, pageSize: 10).ids == ["c2"])
        }
    }

    @Test("searches that arrive while the index is being built wait for that build instead of starting their own")
    func oneBuildAtATime() async throws {
        let cache = ContactIndexCache(capacity: 2)
        let loads = Mutex(0)
        let (released, release) = AsyncStream<Void>.makeStream()
        let load: @Sendable () async throws(StoreError) -> [ContactRecord] = {
            loads.withLock { $0 += 1 }
            for await _ in released { break }
            return [ContactRecord(id: "c1")]
        }
        try await withThrowingTaskGroup(of: ContactIndex.self) { group in
            for _ in 0..<8 {
                group.addTask { try await cache.index(tenant: "t", generation: 7, load: load) }
            }
            let deadline = ContinuousClock.now + .seconds(120)
            while cache.callersWaiting < 8, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(cache.callersWaiting == 8)
            release.finish()  // releases every load, so a cache that started more than one does not hang
            var generations: [Int64] = []
            for try await index in group { generations.append(index.generation) }
            #expect(generations == Array(repeating: 7, count: 8))
        }
        #expect(loads.withLock { $0 } == 1)
        #expect(cache.callersWaiting == 0)

        // A newer generation builds again; the same generation is then served from the cache.
        _ = try await cache.index(
            tenant: "t",
            generation: 8,
            load: { () async throws(StoreError) in
                loads.withLock { $0 += 1 }; return []
            }
        )
        _ = try await cache.index(tenant: "t", generation: 8, load: load)
        #expect(loads.withLock { $0 } == 2)
    }

    @Test("after a changing apply, a kept index is rebuilt ahead of the next search; an index nobody kept is not built")
    func prebuildAfterChange() async throws {
        try await withTemporaryStore { store in
            var anna = ContactRecord(id: "c1")
            anna.displayName = "Anna Smith"
            try await store.stage(job: "j1", contacts: [anna], removals: [])
            _ = try await store.apply(job: "j1", tenant: "t", kind: .replaceAll, now: 1, deltaLink: nil)
            let cache = ContactIndexCache(capacity: 2)
            let first = try await cache.index(tenant: "t", store: store)

            var bo = ContactRecord(id: "c2")
            bo.displayName = "Bo Lind"
            try await store.stage(job: "j2", contacts: [anna, bo], removals: [])
            _ = try await store.apply(job: "j2", tenant: "t", kind: .replaceAll, now: 2, deltaLink: nil)
            let current = try await store.contactsGeneration(tenant: "t")
            #expect(current > first.generation)

            cache.contactsChanged(tenant: "t")
            cache.contactsChanged(tenant: "never-searched")
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await cache.runPrebuilds(store: store) }
                let deadline = ContinuousClock.now + .seconds(120)
                while cache.keptGeneration(tenant: "t") != current, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .milliseconds(5))
                }
                group.cancelAll()
            }
            #expect(cache.keptGeneration(tenant: "t") == current, "rebuilt without a search")
            #expect(cache.keptGeneration(tenant: "never-searched") == nil)
        }
    }
}
