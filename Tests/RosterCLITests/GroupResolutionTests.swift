import RosterWire
import Testing

@testable import RosterCLI

/// Which group `sync --group TEXT` means, from the ListGroups answer.
@Suite struct GroupResolutionTests {
    static func group(_ name: String, id: String, mail: String = "") -> Group {
        var group = Group()
        group.id = id
        group.displayName = name
        group.mail = mail
        group.kind = .mailEnabledSecurity
        return group
    }

    static func response(_ groups: [Group]) -> ListGroupsResponse {
        var response = ListGroupsResponse()
        response.groups = groups
        return response
    }

    static let europe = group("Europe Staff", id: "g-eu", mail: "europe@contoso.com")
    static let europeSales = group("Europe Sales", id: "g-eu-sales", mail: "eu-sales@contoso.com")
    static let uk = group("UK Staff", id: "g-uk")

    @Test func exactNameIgnoringCaseWins() {
        let response = Self.response([Self.europeSales, Self.europe])
        #expect(
            GroupResolution.resolve("europe staff", in: response) == .match(id: "g-eu", displayName: "Europe Staff")
        )
    }

    @Test func idWins() {
        #expect(
            GroupResolution.resolve("g-uk", in: Self.response([Self.europe, Self.uk]))
                == .match(id: "g-uk", displayName: "UK Staff")
        )
    }

    @Test func prefixMatchesAreCandidates() {
        let response = Self.response([Self.europeSales, Self.europe])
        #expect(GroupResolution.resolve("Europe", in: response) == .candidates([Self.europeSales, Self.europe]))
        // A single prefix match is still only a candidate: a sync is not started on a guess.
        #expect(GroupResolution.resolve("UK", in: Self.response([Self.uk])) == .candidates([Self.uk]))
    }

    @Test func duplicateNamesAreCandidates() {
        let twin = Self.group("Europe Staff", id: "g-eu-2")
        let response = Self.response([Self.europe, twin, Self.europeSales])
        #expect(GroupResolution.resolve("Europe Staff", in: response) == .candidates([Self.europe, twin]))
    }

    @Test func nothingMatches() {
        #expect(GroupResolution.resolve("Finance", in: Self.response([])) == .noMatch)
        let id = "6F1C2B0A-1D2E-4F3A-9B8C-7D6E5F4A3B2C"
        #expect(GroupResolution.resolve(id, in: Self.response([])) == .match(id: id.lowercased(), displayName: ""))
    }

    @Test func numberedList() {
        #expect(
            GroupResolution.numberedList([Self.europeSales, Self.uk]) == [
                "  #   name          mail                  id",
                "  1.  Europe Sales  eu-sales@contoso.com  g-eu-sales",
                "  2.  UK Staff      -                     g-uk",
            ]
        )
    }
}
