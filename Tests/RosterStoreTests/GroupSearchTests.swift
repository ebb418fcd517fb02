import RosterStore
import Testing

@Suite("Group search", .postgresCluster)
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

    /// A store of `kind` holding ``groups``.
    func storeWithGroups(_ kind: StoreKind) async throws -> StoreFixture {
        let fixture = try await StoreFixture.make(kind)
        try await fixture.store.replaceGroups(tenant: StoreFixture.tenant, groups: Self.groups, now: 1)
        return fixture
    }

    func search(_ fixture: StoreFixture, _ query: String, limit: Int = 10) async throws -> [String] {
        try await fixture.store.searchGroups(tenant: StoreFixture.tenant, query: query, limit: limit).map(\.displayName)
    }

    @Test(
        "whole-name prefixes come first, then word prefixes, alphabetically; other kinds are left out",
        arguments: StoreKind.allCases
    )
    func ranking(kind: StoreKind) async throws {
        let fixture = try await storeWithGroups(kind)
        // Punctuation folds to a space, so "uk-london" sorts as "uk london".
        #expect(try await search(fixture, "uk") == ["uk-london", "UK Sales", "Ukraine Office", "All UK Staff"])
        // A query of several words matches from any word of the name.
        #expect(try await search(fixture, "UK S") == ["UK Sales", "All UK Staff"])
        #expect(try await search(fixture, "staff") == ["All UK Staff", "Europe Staff"])
        await fixture.tearDown()
    }

    @Test("search ignores case and accents in both the query and the names", arguments: StoreKind.allCases)
    func accents(kind: StoreKind) async throws {
        let fixture = try await storeWithGroups(kind)
        #expect(try await search(fixture, "equipe") == ["Équipe Zoë"])
        #expect(try await search(fixture, "ZOË") == ["Équipe Zoë"])
        await fixture.tearDown()
    }

    @Test(
        "a mail prefix matches after name matches; the limit caps results; an empty query lists all",
        arguments: StoreKind.allCases
    )
    func mailAndLimit(kind: StoreKind) async throws {
        let fixture = try await storeWithGroups(kind)
        #expect(try await search(fixture, "team-") == ["Sales Team"])
        #expect(try await search(fixture, "u", limit: 2) == ["uk-london", "UK Sales"])
        #expect(try await search(fixture, "").count == 7)
        #expect(try await search(fixture, "zz").isEmpty)
        await fixture.tearDown()
    }

    @Test("replacing groups removes the old ones and their words", arguments: StoreKind.allCases)
    func replace(kind: StoreKind) async throws {
        let fixture = try await StoreFixture.make(kind)
        try await fixture.store.replaceGroups(tenant: StoreFixture.tenant, groups: Self.groups, now: 1)
        try await fixture.store.replaceGroups(tenant: StoreFixture.tenant, groups: [Self.groups[3]], now: 2)
        #expect(try await fixture.store.searchGroups(tenant: StoreFixture.tenant, query: "uk", limit: 10).isEmpty)
        #expect(try await fixture.store.group(tenant: StoreFixture.tenant, id: "4") == Self.groups[3])
        #expect(try await fixture.store.group(tenant: StoreFixture.tenant, id: "6") == nil)
        let cached = try await fixture.store.groups(tenant: StoreFixture.tenant)
        #expect(cached.groups == [Self.groups[3]])
        #expect(cached.refreshedAt == 2)
        await fixture.tearDown()
    }
}
