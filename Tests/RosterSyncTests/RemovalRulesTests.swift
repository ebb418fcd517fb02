import RosterDirectory
import RosterStore
import RosterSync
import Testing

@Suite("The deletion threshold and its acknowledgement")
struct RemovalRulesTests {
    /// The demo directory without its first `dropped` users.
    static func shrunk(dropping dropped: Int) throws -> FileDirectory {
        var export = try SyncFixture.demo().export
        export.users.removeFirst(dropped)
        return FileDirectory(export: export)
    }

    @Test("removing more than the threshold stops before applying, stating the count, unless acknowledged")
    func threshold() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        try await fixture.sync()
        let smaller = try Self.shrunk(dropping: 700)
        fixture.source.current = smaller
        let expected = Demo.expected(smaller.export.users)
        let removals = 947 - expected.count
        #expect(removals > 500)

        let refused = try await fixture.sync()
        #expect(refused.state == .failed)
        #expect(refused.error?.code == .removalsNeedAcknowledgement)
        #expect(refused.error?.removalCount == removals)
        #expect(refused.error?.message.contains("would remove \(removals) contacts") == true)
        #expect(refused.error?.message.contains("deletion threshold of 500") == true)
        #expect(try await fixture.contacts().count == 947, "nothing applied")
        #expect(try await fixture.store.cleanStaging(except: []) == 0, "the refused run dropped its staging")

        let acknowledged = try await fixture.sync(acknowledge: true)
        #expect(acknowledged.state == .succeeded)
        #expect(acknowledged.removed == removals)
        #expect(try await fixture.contacts() == expected)
    }

    @Test("removals up to the tenant's own threshold apply without acknowledgement")
    func belowThreshold() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        try await fixture.sync()
        try await fixture.updateTenant { $0.deletionThreshold = 1_000 }
        fixture.source.current = try Self.shrunk(dropping: 700)
        let final = try await fixture.sync()
        #expect(final.state == .succeeded)
        #expect(final.removed > 500)
    }

    @Test("a directory suddenly reporting zero users never empties the store silently")
    func zeroUsers() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        try await fixture.sync()
        try await fixture.updateTenant { $0.deletionThreshold = 100_000 }
        fixture.source.current = try Self.shrunk(dropping: 1_000)

        let refused = try await fixture.sync()
        #expect(refused.error?.code == .removalsNeedAcknowledgement)
        #expect(refused.error?.message.contains("would remove all 947 contacts") == true)
        #expect(try await fixture.contacts().count == 947)

        let acknowledged = try await fixture.sync(acknowledge: true)
        #expect(acknowledged.state == .succeeded)
        #expect(try await fixture.contacts().isEmpty)
    }
}
