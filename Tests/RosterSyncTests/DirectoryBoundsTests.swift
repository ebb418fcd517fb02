import GraphTestDouble
import RosterDirectory
import RosterStore
import Testing

@testable import RosterSync

/// A directory that pages forever, lists too many people or denies one request ends the run with a
/// clear code, nothing applied, and the tenant's connection unharmed.
@Suite("Directory bounds")
struct DirectoryBoundsTests {
    /// The demo directory, except that its user listing's next-page links go round in a circle.
    struct LoopingDirectory: ForwardingDirectory {
        let inner: FileDirectory

        func userChanges(since deltaLink: String?) -> DirectoryPages<DeltaPage> {
            DirectoryPages(pages: { cursor throws(DirectoryError) in
                let next = ["a": "b", "b": "c", "c": "a"][cursor ?? "c"]
                return (
                    DeltaPage(
                        changed: [DirectoryUser(id: "user-\(cursor ?? "start")")],
                        removed: [],
                        deltaLink: nil,
                        partial: [:]
                    ), next
                )
            })
        }
    }

    @Test("a next-page link that loops ends the job FAILED DIRECTORY_LIMIT_EXCEEDED, nothing applied")
    func loopingNextLink() async throws {
        let fixture = try await SyncFixture.make(source: LoopingDirectory(inner: try SyncFixture.demo()))
        let final = try await fixture.sync()
        #expect(final.state == .failed)
        #expect(final.error?.code == .directoryLimitExceeded)
        #expect(
            final.error?.message.contains("leads back to a page already read") == true,
            "\(final.error?.message ?? "")"
        )
        #expect(try await fixture.contacts().isEmpty)
        await fixture.tearDown()
    }

    @Test("more users than a run may hold ends the job FAILED DIRECTORY_LIMIT_EXCEEDED, nothing applied")
    func tooManyUsers() async throws {
        var limits = SyncLimits()
        limits.maxUsers = 250
        let fixture = try await SyncFixture.make(limits: limits)
        let final = try await fixture.sync()
        #expect(final.state == .failed)
        #expect(final.error?.code == .directoryLimitExceeded)
        #expect(final.error?.message == "the directory listed more than 250 users in one run; nothing was applied")
        #expect(try await fixture.contacts().isEmpty)
        await fixture.tearDown()
    }

    @Test("one 403 on a page does not mark the tenant CONSENT_REVOKED when the permission check passes")
    func single403() async throws {
        try await DeltaSyncTests.withDouble(users: 450) { double, fixture, _ in
            try await fixture.updateTenant { $0.connectionState = .authorized }
            let denied =
                #"{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}"#
            double.inject([.rawBody(status: 403, body: denied)], pathPrefix: "/v1.0/users/delta")
            let final = try await fixture.sync()
            #expect(final.state == .failed)
            #expect(final.error?.code == .directoryError)
            #expect(final.error?.message.contains("the connection stays AUTHORIZED") == true)
            #expect(try await fixture.store.tenant(id: SyncFixture.tenant)?.connectionState == .authorized)
            // The next run goes through.
            #expect(try await fixture.sync().state == .succeeded)
        }
    }

    @Test("a 403 confirmed by the permission check marks the tenant CONSENT_REVOKED")
    func confirmed403() async throws {
        var configuration = GraphDouble.Configuration()
        configuration.roles = ["User.Read.All"]  // no group permission: group endpoints answer 403
        try await DeltaSyncTests.withDouble(users: 20, groupMembers: [1, 2], doubleConfiguration: configuration) {
            _,
            fixture,
            _ in
            try await fixture.updateTenant { $0.connectionState = .authorized }
            let final = try await fixture.sync(.group(id: "g1", name: "UK Staff"), acknowledge: true)
            #expect(final.state == .failed)
            #expect(final.error?.code == .consentRevoked)
            #expect(try await fixture.store.tenant(id: SyncFixture.tenant)?.connectionState == .consentRevoked)
        }
    }
}
