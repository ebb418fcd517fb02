import Foundation
import GraphTestDouble
import RosterDirectory
import Synchronization
import Testing

@Suite("GraphDirectory listings against the Graph double")
struct GraphDirectoryListingTests {
    @Test("users come in pages of 999 following @odata.nextLink, each request with $select, $top and low priority")
    func usersArePaged() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(2_500)) { harness in
            let pages = try await harness.directory.users().collect()
            #expect(pages.map(\.items.count) == [999, 999, 502])
            let ids = pages.flatMap(\.items).map(\.id)
            #expect(ids == (0..<2_500).map(GraphDoubleDirectory.userID))

            let requests = harness.graphRequests("/v1.0/users")
            #expect(requests.count == 3)
            for request in requests {
                #expect(request.query["$select"] == DirectoryUser.graphSelect.joined(separator: ","))
                #expect(request.query["$top"] == "999")
                #expect(request.headers["x-ms-throttle-priority"] == "low")
                #expect(request.headers["authorization"]?.hasPrefix("Bearer ey") == true)
            }
            #expect(requests.map { $0.query["$skiptoken"] } == [nil, "999", "1998"])
            #expect(harness.double.tokensIssued == 1, "one cached token serves every page")
        }
    }

    @Test("every contact field is decoded from the selected properties")
    func fieldsAreDecoded() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(5)) { harness in
            let users = try await harness.directory.users().collect().flatMap(\.items)
            let user = try #require(users.first { $0.id == GraphDoubleDirectory.userID(3) })
            #expect(user.userPrincipalName == "user3@contoso.example")
            #expect(user.displayName == "Generated Üser 3")
            #expect(user.jobTitle == "Engineer \"II\"")
            #expect(user.businessPhones == ["+44 20 7946 0003"])
            #expect(user.streetAddress == "4 King's Road")
            #expect(user.city == "東京")
            #expect(user.state == nil)
            #expect(user.extensionAttributes[1] == "EXT1-3")
            #expect(user.extensionAttributes[15] == nil)
            #expect(user.accountEnabled == true)
            #expect(user.userType == "Member")
        }
    }

    @Test("properties missing from the answer read as nil, like null ones")
    func missingPropertiesAreNil() async throws {
        var directory = TestDirectories.generated(1)
        directory.users[0]["jobTitle"] = nil
        directory.users[0]["businessPhones"] = nil
        directory.users[0]["onPremisesExtensionAttributes"] = nil
        try await GraphDoubleHarness.run(directory) { harness in
            let user = try #require(try await harness.directory.users().collect().first?.items.first)
            #expect(user.jobTitle == nil)
            #expect(user.businessPhones == [])
            #expect(user.extensionAttributes == DirectoryUser.ExtensionAttributes())
            #expect(user.mail == nil, "user 0 has a null mail")
        }
    }

    @Test("the double honours $select: unselected properties are absent from its answer")
    func doubleHonoursSelect() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(3)) { harness in
            // A full listing first gets a token the raw request below can reuse.
            _ = try await harness.directory.users().collect()
            let token = try #require(harness.graphRequests().first?.headers["authorization"])
            let url = harness.double.baseURL + "/v1.0/users?$select=displayName,city"
            let body = try await RawHTTP.get(url, headers: ["Authorization": token])
            let json = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
            let first = try #require((json["value"] as? [[String: Any]])?.first)
            #expect(Set(first.keys) == ["id", "displayName", "city"])
        }
    }

    @Test("groups: only mail-enabled security groups, asked with Graph's filter; Microsoft 365 groups dropped")
    func groupsAreFiltered() async throws {
        try await GraphDoubleHarness.run(try TestDirectories.demo()) { harness in
            let groups = try await harness.directory.mailEnabledSecurityGroups().collect().flatMap(\.items)
            let names = Set(groups.compactMap(\.displayName))
            #expect(names.isSuperset(of: ["UK Staff", "Europe Staff", "UK Sales", "Ukraine Office", "uk-london"]))
            #expect(!names.contains("UK Newsletter"), "a distribution list")
            #expect(!names.contains("VPN Users"), "a security group without mail")
            #expect(!names.contains("Engineering All Hands"), "a Microsoft 365 group, though security-enabled")
            #expect(groups.allSatisfy { $0.kind == .mailEnabledSecurity })
            let request = try #require(harness.graphRequests("/v1.0/groups").first)
            #expect(request.query["$filter"] == "mailEnabled eq true and securityEnabled eq true")
            #expect(request.query["$top"] == "999")
        }
    }

    @Test("group(id:) returns any group with its kind; an unknown id is notFound with Graph's code and request-id")
    func groupByID() async throws {
        let demo = try TestDirectories.demo()
        let id = { (name: String) in demo.groups.first { $0["displayName"]?.string == name }?["id"]?.string ?? "" }
        try await GraphDoubleHarness.run(demo) { harness in
            #expect(try await harness.directory.group(id: id("UK Newsletter")).kind == .distributionList)
            #expect(try await harness.directory.group(id: id("Project Phoenix")).kind == .microsoft365)
            #expect(try await harness.directory.group(id: id("VPN Users")).kind == .security)
            #expect(try await harness.directory.group(id: id("UK Staff")).kind == .mailEnabledSecurity)
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.group(id: "00000000-0000-0000-0000-000000000000")
            }
            #expect(error.code == .notFound)
            #expect(error.directoryCode == "Request_ResourceNotFound")
            #expect(error.requestID?.hasPrefix("double-") == true)
            #expect(error.httpStatus == 404)
        }
    }

    @Test("transitive members expand nested groups, page past 999, and send ConsistencyLevel and $count")
    func transitiveMembers() async throws {
        let demo = try TestDirectories.demo()
        let file = try FileDirectory.demo()
        let id = { (name: String) in demo.groups.first { $0["displayName"]?.string == name }?["id"]?.string ?? "" }
        try await GraphDoubleHarness.run(demo) { harness in
            for name in ["Europe Staff", "UK Staff", "Everyone (Including Guests)", "Empty Project Team"] {
                let pages = try await harness.directory.transitiveUserMembers(ofGroup: id(name)).collect()
                let viaGraph = Set(pages.flatMap(\.items).map(\.id))
                let viaFile = Set(
                    try await file.transitiveUserMembers(ofGroup: id(name)).collect().flatMap(\.items).map(\.id)
                )
                #expect(viaGraph == viaFile, "\(name): the double and FileDirectory agree")
                #expect(pages.first?.totalCount == viaGraph.count, "\(name): @odata.count on the first page")
            }
            let everyone = try await harness.directory.transitiveUserMembers(ofGroup: id("Everyone (Including Guests)"))
                .collect()
            #expect(everyone.map(\.items.count) == [999, 1])
            let uk = Set(
                try await harness.directory.transitiveUserMembers(ofGroup: id("UK Staff")).collect().flatMap(\.items)
                    .map(\.id)
            )
            let europe = Set(
                try await harness.directory.transitiveUserMembers(ofGroup: id("Europe Staff")).collect().flatMap(
                    \.items
                ).map(\.id)
            )
            #expect(!uk.isEmpty && uk.isSubset(of: europe), "UK Staff's users are Europe Staff's through nesting")

            let requests = harness.graphRequests("/v1.0/groups/")
            #expect(
                requests.allSatisfy { $0.headers["consistencylevel"] == "eventual" && $0.query["$count"] == "true" }
            )
            #expect(requests.allSatisfy { $0.path.hasSuffix("/transitiveMembers/microsoft.graph.user") })
        }
    }

    @Test("transitive members of an unknown group is notFound")
    func transitiveMembersOfUnknownGroup() async throws {
        try await GraphDoubleHarness.run(try TestDirectories.demo()) { harness in
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.transitiveUserMembers(ofGroup: "no-such-group").collect()
            }
            #expect(error.code == .notFound)
        }
    }
}

@Suite("DirectoryPages")
struct DirectoryPagesTests {
    @Test("starts downloading the next page before it is asked for, and downloads each page once")
    func prefetchesOnePage() async throws {
        let log = Mutex<[String]>([])
        let pages = DirectoryPages<Int> { cursor throws(DirectoryError) in
            let index = Int(cursor ?? "0") ?? 0
            log.withLock { $0.append("download \(index)") }
            return (
                { () throws(DirectoryError) in
                    log.withLock { $0.append("decode \(index)") }
                    return index
                }, index < 2 ? String(index + 1) : nil
            )
        }
        var iterator = pages.makeAsyncIterator()
        #expect(try await iterator.next() == 0)
        // The next download runs in its own task: give it a bounded chance to start.
        for _ in 0..<100_000 where log.withLock({ $0.count }) < 3 { await Task.yield() }
        #expect(
            Set(log.withLock { $0 }) == ["download 0", "decode 0", "download 1"],
            "page 1 downloads before it is asked for"
        )
        #expect(try await iterator.next() == 1)
        #expect(try await iterator.next() == 2)
        #expect(try await iterator.next() == nil)
        #expect(log.withLock { $0.filter { $0.hasPrefix("download") } } == ["download 0", "download 1", "download 2"])
    }
}
