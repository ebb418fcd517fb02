import Foundation
import RosterDirectory
import Testing

@Suite("FileDirectory on the bundled demo directory")
struct FileDirectoryTests {
    let demo: FileDirectory

    init() throws {
        demo = try FileDirectory.demo()
    }

    func groupID(_ name: String) throws -> String {
        try #require(demo.export.groups.first { $0.displayName == name }).id
    }

    @Test("about 1,000 users with the messy cases a real tenant has")
    func messyUsers() async throws {
        let users = try await demo.users().collect().flatMap(\.items)
        #expect(users.count == 1_000)
        #expect(Set(users.map(\.id)).count == 1_000, "ids are unique")
        #expect(users.contains { $0.isGuest })
        #expect(users.contains { $0.accountEnabled == false })
        #expect(users.contains { $0.mail == nil })
        #expect(users.contains { $0.displayName?.contains("'") == true }, "apostrophes")
        #expect(users.contains { $0.jobTitle?.contains("\"") == true }, "quotes")
        #expect(
            users.contains { $0.displayName?.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } == true },
            "CJK"
        )
        #expect(
            users.contains { $0.displayName?.unicodeScalars.contains { (0x0590...0x06FF).contains($0.value) } == true },
            "right-to-left"
        )
        #expect(users.contains { $0.jobTitle == "" }, "empty, not null")
        #expect(users.contains { $0.businessPhones.isEmpty })
        #expect(users.contains { $0.faxNumber == nil && $0.state == nil && $0.companyName == nil })
        #expect(users.contains { $0.extensionAttributes[15] != nil })
    }

    @Test("groups of every kind, with names sharing the prefix uk")
    func everyKind() throws {
        let groups = demo.export.groups
        var counts: [DirectoryGroup.Kind: Int] = [:]
        for group in groups { counts[group.kind, default: 0] += 1 }
        #expect(counts[.mailEnabledSecurity] == 14)
        #expect(counts[.security] == 3)
        #expect(counts[.distributionList] == 3)
        #expect(counts[.microsoft365] == 3)
        let names = Set(groups.compactMap(\.displayName))
        #expect(names.isSuperset(of: ["UK Sales", "UK Staff", "Ukraine Office", "uk-london", "Europe Staff"]))
    }

    @Test("a group of the wrong kind is refused with a message naming its kind")
    func refusals() throws {
        let byName = { (name: String) in demo.export.groups.first { $0.displayName == name } }
        #expect(try #require(byName("UK Staff")).syncScopeRefusal == nil)
        #expect(
            try #require(byName("UK Newsletter")).syncScopeRefusal?.hasPrefix("“UK Newsletter” is a distribution list;")
                == true
        )
        #expect(try #require(byName("Project Phoenix")).syncScopeRefusal?.contains("is a Microsoft 365 group") == true)
        #expect(
            try #require(byName("VPN Users")).syncScopeRefusal?.contains("is a security group without mail") == true
        )
    }

    @Test("the type-ahead listing holds only mail-enabled security groups")
    func mailEnabledSecurityOnly() async throws {
        let groups = try await demo.mailEnabledSecurityGroups().collect().flatMap(\.items)
        #expect(groups.count == 14)
        #expect(groups.allSatisfy { $0.kind == .mailEnabledSecurity })
    }

    @Test("UK Staff sits in Europe Staff, which sits in All Staff: members expand through both levels")
    func nesting() async throws {
        let direct = demo.export.members
        let uk = try groupID("UK Staff")
        let europe = try groupID("Europe Staff")
        let all = try groupID("All Staff")
        #expect(direct[europe]?.contains(uk) == true)
        #expect(direct[all]?.contains(europe) == true)
        let ukUsers = Set(try await demo.transitiveUserMembers(ofGroup: uk).collect().flatMap(\.items).map(\.id))
        let allUsers = Set(try await demo.transitiveUserMembers(ofGroup: all).collect().flatMap(\.items).map(\.id))
        #expect(!ukUsers.isEmpty)
        #expect(ukUsers.isSubset(of: allUsers), "two levels down")
        #expect(!(direct[all] ?? []).contains { ukUsers.contains($0) }, "UK users reach All Staff only by nesting")
    }

    @Test("the group with more than 999 members pages, each user once")
    func largeGroup() async throws {
        let pages = try await demo.transitiveUserMembers(ofGroup: try groupID("Everyone (Including Guests)")).collect()
        #expect(pages.map(\.items.count) == [999, 1])
        #expect(Set(pages.flatMap(\.items).map(\.id)).count == 1_000)
        #expect(pages.first?.totalCount == 1_000)
    }

    @Test("the empty group has no members, and an unknown group is notFound")
    func emptyAndUnknown() async throws {
        let empty = try await demo.transitiveUserMembers(ofGroup: try groupID("Empty Project Team")).collect()
        #expect(empty.flatMap(\.items).isEmpty)
        let error = try await #require(throws: DirectoryError.self) { try await demo.group(id: "nope") }
        #expect(error.code == .notFound)
        let members = try await #require(throws: DirectoryError.self) {
            try await demo.transitiveUserMembers(ofGroup: "nope").collect()
        }
        #expect(members.code == .notFound)
    }

    @Test("delta: a first run lists everyone with a delta link; passing it back asks for a full sync")
    func delta() async throws {
        let pages = try await demo.userChanges(since: nil).collect()
        #expect(pages.flatMap(\.changed).count == 1_000)
        let link = try #require(pages.last?.deltaLink)
        let error = try await #require(throws: DirectoryError.self) {
            try await demo.userChanges(since: link).collect()
        }
        #expect(error.code == .resyncRequired)
    }

    @Test("a file that is not an export fails with a message naming the expected shape")
    func badFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "roster-bad-\(UInt32.random(in: 0...UInt32.max)).json"
        )
        try Data(#"{"users": [{"displayName": "no id"}]}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: DirectoryError.self) { try FileDirectory(contentsOf: url) }
        #expect(error.code == .permanent)
        #expect(error.message.contains("\"users\""))
    }
}
