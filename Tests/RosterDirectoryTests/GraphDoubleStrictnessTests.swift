import Foundation
import GraphTestDouble
import RosterDirectory
import Synchronization
import Testing

/// The double is as strict as Graph where leniency would hide a client's defect: each refusal or
/// habit of Graph it copies, with the switch that turns it off.
@Suite("The Graph double is as strict as Graph")
struct GraphDoubleStrictnessTests {
    /// A full listing through GraphDirectory, then the token it used, for raw requests.
    func token(_ harness: GraphDoubleHarness) async throws -> String {
        _ = try await harness.directory.users().collect()
        return try #require(harness.graphRequests().first?.headers["authorization"])
    }

    func json(_ data: Data) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func errorCode(_ data: Data) throws -> String? {
        (try json(data)["error"] as? [String: Any])?["code"] as? String
    }

    @Test("$top above 999 is refused with 400, not capped (unless lenient)")
    func oversizedTop() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(3)) { harness in
            let token = try await token(harness)
            let body = try await RawHTTP.get(
                harness.double.baseURL + "/v1.0/users?$top=1000",
                headers: ["Authorization": token]
            )
            #expect(try errorCode(body) == "BadRequest")
            #expect(String(decoding: body, as: UTF8.self).contains("Must be between 1 and 999"))
        }
        var lenient = GraphDouble.Configuration()
        lenient.refusesOversizedTop = false
        try await GraphDoubleHarness.run(TestDirectories.generated(3), double: lenient) { harness in
            let token = try await token(harness)
            let body = try await RawHTTP.get(
                harness.double.baseURL + "/v1.0/users?$top=1000",
                headers: ["Authorization": token]
            )
            #expect((try json(body)["value"] as? [Any])?.count == 3)
        }
    }

    @Test("$count and $search need ConsistencyLevel: eventual; the transitiveMembers cast needs it with $count=true")
    func advancedQueries() async throws {
        let demo = try TestDirectories.demo()
        try await GraphDoubleHarness.run(demo) { harness in
            let token = try await token(harness)
            let base = harness.double.baseURL + "/v1.0"
            let refused = try await RawHTTP.get(base + "/users?$count=true", headers: ["Authorization": token])
            #expect(try errorCode(refused) == "Request_UnsupportedQuery")
            let counted = try await RawHTTP.get(
                base + "/users?$count=true",
                headers: ["Authorization": token, "ConsistencyLevel": "eventual"]
            )
            #expect(try json(counted)["@odata.count"] as? Int == demo.users.count)
            let search = try await RawHTTP.get(
                base + "/groups?$search=%22displayName:uk%22",
                headers: ["Authorization": token]
            )
            #expect(try errorCode(search) == "Request_UnsupportedQuery")
            // A basic $filter needs no header, as in Graph.
            let filtered = try await RawHTTP.get(
                base + "/groups?$filter=mailEnabled%20eq%20true",
                headers: ["Authorization": token]
            )
            #expect(try json(filtered)["value"] != nil)

            let group = try #require(demo.groups.first?["id"]?.string)
            let cast = base + "/groups/\(group)/transitiveMembers/microsoft.graph.user"
            let noCount = try await RawHTTP.get(
                cast,
                headers: ["Authorization": token, "ConsistencyLevel": "eventual"]
            )
            #expect(try errorCode(noCount) == "Request_UnsupportedQuery")
            let noHeader = try await RawHTTP.get(cast + "?$count=true", headers: ["Authorization": token])
            #expect(try errorCode(noHeader) == "Request_UnsupportedQuery")
            let both = try await RawHTTP.get(
                cast + "?$count=true",
                headers: ["Authorization": token, "ConsistencyLevel": "eventual"]
            )
            #expect(try json(both)["value"] != nil)
        }
    }

    @Test("only the double's own resource is a valid scope; Graph's is an unknown resource (AADSTS500011)")
    func scope() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(1)) { harness in
            let double = harness.double
            func tokenRequest(scope: String) async throws -> (status: UInt, body: Data) {
                let form =
                    "grant_type=client_credentials&client_id=roster-app&client_secret=double-secret&scope="
                    + (scope.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? scope)
                return try await RawHTTP.post(double.baseURL + "/double-tenant/oauth2/v2.0/token", form: form)
            }
            let foreign = try await tokenRequest(scope: "https://graph.microsoft.com/.default")
            #expect(foreign.status == 400)
            #expect(try json(foreign.body)["error_codes"] as? [Int] == [500011])
            let own = try await tokenRequest(scope: double.baseURL + "/.default")
            #expect(own.status == 200)
            #expect(try json(own.body)["access_token"] is String)
        }
    }

    @Test("a token used after expires_in answers 401; GraphDirectory asks for a new one first")
    func tokenExpiresByTime() async throws {
        let clockBox = ClockBox()
        var configuration = GraphDouble.Configuration()
        configuration.tokenLifetime = 3599
        configuration.now = { clockBox.now() }
        try await GraphDoubleHarness.run(TestDirectories.generated(3), double: configuration) { harness in
            let token = try await token(harness)
            clockBox.advance(by: 3600)
            let body = try await RawHTTP.get(harness.double.baseURL + "/v1.0/users", headers: ["Authorization": token])
            #expect(try errorCode(body) == "InvalidAuthenticationToken")
        }
    }

    @Test("a delta round leaves nulls out, reports a removal as changed, and replays the last entry before the link")
    func deltaHabits() async throws {
        let directory = TestDirectories.generated(5)
        let users = directory.users.compactMap { $0["id"]?.string }
        try await GraphDoubleHarness.run(directory) { harness in
            let first = try await harness.directory.userChanges(since: nil).collect()
            let link = try #require(first.last?.deltaLink)
            #expect(harness.double.updateUser(id: users[1], ["jobTitle": .string("Chief")]))
            #expect(harness.double.removeUser(id: users[2]))
            let token = try #require(harness.graphRequests().last?.headers["authorization"])
            let body = try await RawHTTP.get(link, headers: ["Authorization": token])
            let entries = try #require(try json(body)["value"] as? [[String: Any]])
            // The replay (no user changed before the link: the first one listed), then the change and the removal.
            #expect(entries.map { $0["id"] as? String } == [users[0], users[1], users[2]])
            let removal = try #require(entries.last?["@removed"] as? [String: Any])
            #expect(removal["reason"] as? String == "changed")
            #expect(
                entries.dropLast().allSatisfy { entry in !entry.values.contains { $0 is NSNull } },
                "null properties are left out"
            )

            // The next round replays the user changed last before its link.
            let next = try #require(try json(body)["@odata.deltaLink"] as? String)
            #expect(harness.double.updateUser(id: users[3], ["jobTitle": .string("Deputy")]))
            let second = try #require(
                try json(try await RawHTTP.get(next, headers: ["Authorization": token]))["value"] as? [[String: Any]]
            )
            #expect(second.map { $0["id"] as? String } == [users[1], users[3]])
        }
    }
}

/// A settable clock for the double.
final class ClockBox: Sendable {
    private let clock = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    func now() -> Date { clock.withLock { $0 } }
    func advance(by seconds: TimeInterval) { clock.withLock { $0 += seconds } }
}
