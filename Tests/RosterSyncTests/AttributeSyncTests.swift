import GraphTestDouble
import RosterDirectory
import RosterStore
import RosterSync
import Testing

/// Additional user properties through the sync engine and the Graph double.
@Suite("Additional user properties in a sync")
struct AttributeSyncTests {
    static let costCentre = "extension_0f2a9c4e8b7d4e1fa3c65d2b9e8f7a61_costCentre"

    @Test(
        "a delta row that leaves out a stored attribute is fetched whole and keeps it; a row carrying a changed one updates it"
    )
    func partialRows() async throws {
        var configuration = GraphDouble.Configuration()
        configuration.deltaChangedPropertiesOnly = true
        try await DeltaSyncTests.withDouble(users: 50, doubleConfiguration: configuration) { double, fixture, _ in
            let first = GraphDoubleDirectory.userID(1)
            let second = GraphDoubleDirectory.userID(2)
            #expect(double.updateUser(id: first, ["employeeId": "E-1", Self.costCentre: "CC-1"]))
            #expect(double.updateUser(id: second, [Self.costCentre: "CC-2"]))
            var tenant = try #require(try await fixture.store.tenant(id: SyncFixture.tenant))
            tenant.attributes = ["employeeId", Self.costCentre]
            try await fixture.store.updateTenant(tenant)
            #expect(try await fixture.sync().state == .succeeded)
            let stored = { (id: String) in try await fixture.store.contact(tenant: SyncFixture.tenant, id: id) }
            #expect(try await stored(first)?.attributes == ["employeeId": "E-1", Self.costCentre: "CC-1"])
            #expect(try await stored(second)?.attributes == [Self.costCentre: "CC-2"])

            // user 1: only jobTitle in its row, its stored attributes left out: fetched whole.
            #expect(double.updateUser(id: first, ["jobTitle": "Chief Attribute Officer"]))
            // user 2: only the changed attribute in its row, the rest of it empty in the store.
            #expect(double.updateUser(id: second, [Self.costCentre: "CC-2b"]))
            let delta = try await fixture.sync()
            #expect(delta.state == .succeeded && delta.mode == .delta)
            #expect(delta.updated == 2)
            let fetched = double.requests.filter {
                $0.path.hasPrefix("/v1.0/users/") && !$0.path.contains("$count") && !$0.path.hasSuffix("delta")
                    && GraphDouble.photoRequest(path: $0.path) == nil
            }
            #expect(fetched.map(\.path).contains("/v1.0/users/\(first)"))
            #expect(fetched.allSatisfy { $0.query["$select"]?.hasSuffix(",employeeId,\(Self.costCentre)") == true })
            let one = try #require(try await stored(first))
            #expect(one.jobTitle == "Chief Attribute Officer")
            #expect(one.attributes == ["employeeId": "E-1", Self.costCentre: "CC-1"])
            #expect(try await stored(second)?.attributes == [Self.costCentre: "CC-2b"])
        }
    }
}
