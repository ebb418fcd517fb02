import RosterStore
import Testing

@Suite("Group search")
struct GroupSearchTests {
    static let groups: [GroupRecord] = [
        .init(
            id: "1",
            displayName: "UK Sales",
            mail: "uksales@contoso.example",
            mailEnabled: true,
            securityEnabled: true,
            kind: .mailEnabledSecurity
        ),
        .init(
            id: "2",
            displayName: "Ukraine Office",
            mail: "kyiv@contoso.example",
            mailEnabled: true,
            securityEnabled: true,
            kind: .mailEnabledSecurity
        ),
        .init(
            id: "3",
            displayName: "uk-london",
            mail: nil,
            mailEnabled: true,
            securityEnabled: true,
            kind: .mailEnabledSecurity
        ),
        .init(
            id: "4",
            displayName: "Europe Staff",
            mail: "europe@contoso.example",
            mailEnabled: true,
            securityEnabled: true,
            kind: .mailEnabledSecurity
        ),
        .init(
            id: "5",
            displayName: "All UK Staff",
            mail: "ukstaff@contoso.example",
            mailEnabled: true,
            securityEnabled: true,
            kind: .mailEnabledSecurity
        ),
        .init(
            id: "6",
            displayName: "UK Distribution",
            mail: "ukdl@contoso.example",
            mailEnabled: true,
            securityEnabled: false,
            kind: .distribution
        ),
        .init(
            id: "7",
            displayName: "Équipe Zoë",
            mail: "equipe@contoso.example",
            mailEnabled: true,
            securityEnabled: true,
            kind: .mailEnabledSecurity
        ),
        .init(
            id: "8",
            displayName: "Sales Team",
            mail: "team-uk@contoso.example",
            mailEnabled: true,
            securityEnabled: true,
            kind: .mailEnabledSecurity
        ),
    ]

    func search(_ query: String, limit: Int = 10) async throws -> [String] {
        let fixture = try await StoreFixture.make()
        try await fixture.store.replaceGroups(tenant: StoreFixture.tenant, groups: Self.groups, now: 1)
        let names = try await fixture.store.searchGroups(tenant: StoreFixture.tenant, query: query, limit: limit).map(
            \.displayName
        )
        await fixture.tearDown()
        return names
    }

    @Test("whole-name prefixes come first, then word prefixes, alphabetically; other kinds are left out")
    func ranking() async throws {
        // Punctuation folds to a space, so "uk-london" sorts as "uk london".
        #expect(try await search("uk") == ["uk-london", "UK Sales", "Ukraine Office", "All UK Staff"])
        // A query of several words matches from any word of the name.
        #expect(try await search("UK S") == ["UK Sales", "All UK Staff"])
        #expect(try await search("staff") == ["All UK Staff", "Europe Staff"])
    }

    @Test("search ignores case and accents in both the query and the names")
    func accents() async throws {
        #expect(try await search("equipe") == ["Équipe Zoë"])
        #expect(try await search("ZOË") == ["Équipe Zoë"])
    }

    @Test("a mail prefix matches after name matches; the limit caps results; an empty query lists all")
    func mailAndLimit() async throws {
        #expect(try await search("team-") == ["Sales Team"])
        #expect(try await search("u", limit: 2) == ["uk-london", "UK Sales"])
        #expect(try await search("").count == 7)
        #expect(try await search("zz").isEmpty)
    }

    @Test("replacing groups removes the old ones and their words")
    func replace() async throws {
        let fixture = try await StoreFixture.make()
        try await fixture.store.replaceGroups(tenant: StoreFixture.tenant, groups: Self.groups, now: 1)
        try await fixture.store.replaceGroups(tenant: StoreFixture.tenant, groups: [Self.groups[3]], now: 2)
        #expect(try await fixture.store.searchGroups(tenant: StoreFixture.tenant, query: "uk", limit: 10).isEmpty)
        #expect(try await fixture.store.group(tenant: StoreFixture.tenant, id: "4") == Self.groups[3])
        #expect(try await fixture.store.group(tenant: StoreFixture.tenant, id: "6") == nil)
        await fixture.tearDown()
    }
}
