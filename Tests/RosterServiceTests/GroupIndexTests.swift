import Foundation
import RosterDirectory
import RosterService
import RosterStore
import Testing

/// The in-memory type-ahead index must answer exactly as the store's SQL search does.
@Suite("Group index")
struct GroupIndexTests {
    /// A store holding `groups` for tenant "t", and the index over the same groups.
    private func fixture(_ groups: [GroupRecord]) async throws -> (SQLiteStore, GroupIndex, String) {
        let path = NSTemporaryDirectory() + "roster-group-index-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let store = try SQLiteStore(configuration: .init(directory: path))
        try await store.createTenant(
            TenantRecord(id: "t", displayName: "T", authorityURL: "https://a", graphBaseURL: "https://g", createdAt: 1)
        )
        try await store.replaceGroups(tenant: "t", groups: groups, now: 42)
        let stored = try await store.groups(tenant: "t")
        #expect(stored.refreshedAt == 42)
        #expect(stored.groups.count == groups.count)
        return (store, GroupIndex(groups: stored.groups, refreshedAt: stored.refreshedAt), path)
    }

    private static func demoGroups() throws -> [GroupRecord] {
        try FileDirectory.demo().export.groups.map {
            GroupRecord(
                id: $0.id,
                displayName: $0.displayName ?? $0.id,
                mail: $0.mail,
                mailEnabled: $0.mailEnabled,
                securityEnabled: $0.securityEnabled,
                kind: $0.kind.storeKind
            )
        }
    }

    @Test("every prefix of every name, word and mail of the demo groups: same groups, same order as SQL")
    func demoEquivalence() async throws {
        let groups = try Self.demoGroups()
        let (store, index, path) = try await fixture(groups)
        var queries: Set<String> = ["", " uk", "UK ", "É", "equipe", "東", "zzz", "-", "\"tiger", "staff"]
        for group in groups {
            for text in [group.displayName, group.mail ?? ""] + group.displayName.split(separator: " ").map(String.init)
            {
                for length in 0..<min(text.count, 8) { queries.insert(String(text.prefix(length + 1))) }
            }
        }
        for query in queries {
            for limit in [1, 3, 10, 100] {
                let sql = try await store.searchGroups(tenant: "t", query: query, limit: limit).map(\.id)
                let memory = index.search(query, limit: limit).map(\.id)
                #expect(memory == sql, "query \"\(query)\" limit \(limit)")
            }
        }
        #expect(
            index.search("uk", limit: 10).map(\.displayName) == ["uk-london", "UK Sales", "UK Staff", "Ukraine Office"]
        )
        #expect(index.search("london", limit: 10).map(\.displayName) == ["London Office", "uk-london"])
        #expect(!index.groups.contains { $0.kind != .mailEnabledSecurity })
        await store.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test("apostrophes and punctuation fold away the same way for groups (index and SQL) and contacts")
    func apostrophesAndPunctuation() async throws {
        let groups = [
            GroupRecord(
                id: "g1",
                displayName: "O'Brien's Team",
                mail: nil,
                mailEnabled: true,
                securityEnabled: true,
                kind: .mailEnabledSecurity
            ),
            GroupRecord(
                id: "g2",
                displayName: "Smith-Jones Office",
                mail: nil,
                mailEnabled: true,
                securityEnabled: true,
                kind: .mailEnabledSecurity
            ),
        ]
        let (store, index, path) = try await fixture(groups)
        var seán = ContactRecord(id: "c1")
        seán.displayName = "Seán O'Brien"
        seán.givenName = "Seán"
        seán.surname = "O'Brien"
        var anna = ContactRecord(id: "c2")
        anna.displayName = "Anna Smith-Jones"
        for (query, group, contact) in [
            ("O'Brien", "g1", "c1"), ("o'brien", "g1", "c1"), ("o'b", "g1", "c1"), ("obrien", "g1", "c1"),
            ("o’brien", "g1", "c1"),
            ("smith\\jones", "g2", "c2"), ("smith-j", "g2", "c2"), ("jones", "g2", "c2"), ("smith jones", "g2", "c2"),
        ] as [(String, String?, String)] {
            let sql = try await store.searchGroups(tenant: "t", query: query, limit: 5).map(\.id)
            #expect(sql == (group.map { [$0] } ?? []), "groups, \(query)")
            #expect(index.search(query, limit: 5).map(\.id) == sql, "index, \(query)")
            #expect(
                [seán, anna].filter(ContactSearch(query: query).matches).map(\.id) == [contact],
                "contacts, \(query)"
            )
        }
        await store.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test("5,000 generated groups sharing prefixes and words: same answers as SQL")
    func generatedEquivalence() async throws {
        var generator = SystemRandomNumberGenerator()
        let words = [
            "Staff", "Sales", "São", "Équipe", "Team", "UK", "Ukraine", "North", "Nord", "Ops", "Øresund", "staff-uk",
        ]
        var groups: [GroupRecord] = []
        for number in 0..<5_000 {
            let name =
                (0..<Int.random(in: 1...3, using: &generator)).map { _ in words.randomElement(using: &generator)! }
                .joined(separator: " ") + " \(number % 97)"
            let kind: GroupKind = number % 10 == 0 ? .distribution : .mailEnabledSecurity
            groups.append(
                GroupRecord(
                    id: String(format: "g-%05d", (number * 7_919) % 5_000),
                    displayName: name,
                    mail: number % 3 == 0
                        ? nil : "\(name.lowercased().replacingOccurrences(of: " ", with: "."))@example.com",
                    mailEnabled: true,
                    securityEnabled: kind == .mailEnabledSecurity,
                    kind: kind
                )
            )
        }
        let (store, index, path) = try await fixture(groups)
        for query in [
            "", "s", "st", "sta", "SAO", "sa", "e", "eq", "u", "uk", "uk ", "ukr", "n", "no", "o", "ore", "4", "42",
            "staff-", "staff.", "zz",
        ] {
            let sql = try await store.searchGroups(tenant: "t", query: query, limit: 25).map(\.id)
            #expect(index.search(query, limit: 25).map(\.id) == sql, "query \"\(query)\"")
        }
        await store.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}
