import GraphTestDouble
import NIOCore
import Testing

@testable import RosterDirectory

/// What a hostile or broken directory endpoint (a tenant admin chooses it) can send: each reply
/// ends in a clear DirectoryError, never a crash of the server.
@Suite("Hostile directory replies")
struct HostileDirectoryTests {
    static let deepArray = String(repeating: "[", count: 1_000_000)
    static let deepObject = String(repeating: #"{"a":"#, count: 200_000)

    @Test("the JSON reader refuses nesting past 64 levels, with the offset; 64 levels still read")
    func readerDepth() throws {
        for body in [
            #"{"x":"# + Self.deepArray, #"{"value":[{"extra":"# + Self.deepArray,
            #"{"value":[{"extra":"# + Self.deepObject,
        ] {
            #expect(throws: GraphJSONReader.Failure.self) { try GraphUserPage.read(ByteBuffer(string: body)) }
            #expect(throws: GraphJSONReader.Failure.self) { try GraphUserPage.links(ByteBuffer(string: body)) }
        }
        do {
            _ = try GraphUserPage.read(ByteBuffer(string: #"{"x":"# + Self.deepArray))
        } catch {
            #expect(error.description == "JSON nested deeper than 64 objects and arrays at byte 69")
        }
        // The page object and the value array are two levels: 62 more fit, 63 do not.
        let fits =
            #"{"value":[{"id":"1","x":"# + String(repeating: "[", count: 61) + String(repeating: "]", count: 61) + "}]}"
        #expect(try GraphUserPage.read(ByteBuffer(string: fits)).users.count == 1)
        let tooDeep =
            #"{"value":[{"id":"1","x":"# + String(repeating: "[", count: 62) + String(repeating: "]", count: 62) + "}]}"
        #expect(throws: GraphJSONReader.Failure.self) { try GraphUserPage.read(ByteBuffer(string: tooDeep)) }
    }

    @Test("a user page a million arrays deep fails the listing with a DirectoryError")
    func deepUserPage() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(10)) { harness in
            harness.double.inject(
                [.rawBody(status: 200, body: #"{"@odata.context":"# + Self.deepArray)],
                pathPrefix: "/v1.0/users"
            )
            do {
                _ = try await harness.directory.users().collect()
                Issue.record("the listing succeeded")
            } catch let error as DirectoryError {
                #expect(
                    error.message.contains("answered JSON this client cannot read: JSON nested deeper than 64"),
                    "\(error.message)"
                )
            }
        }
    }

    @Test("deep replies to the group, group list, token and error paths (JSONDecoder) end in a DirectoryError too")
    func deepOtherReplies() async throws {
        try await GraphDoubleHarness.run(TestDirectories.generated(10)) { harness in
            harness.double.inject([.rawBody(status: 200, body: Self.deepArray)], pathPrefix: "/v1.0/groups")
            await #expect(throws: DirectoryError.self) {
                _ = try await harness.directory.mailEnabledSecurityGroups().collect()
            }
            harness.double.inject(
                [.rawBody(status: 200, body: #"{"value":"# + Self.deepObject)],
                pathPrefix: "/v1.0/groups/"
            )
            await #expect(throws: DirectoryError.self) { _ = try await harness.directory.group(id: "g1") }
            harness.double.inject(
                [.rawBody(status: 403, body: #"{"error":"# + Self.deepArray)],
                pathPrefix: "/v1.0/users"
            )
            await #expect(throws: DirectoryError.self) { _ = try await harness.directory.users().collect() }
        }
        try await GraphDoubleHarness.run(TestDirectories.generated(10)) { harness in
            let tenant = GraphDouble.Configuration().tenantID
            harness.double.inject([.rawBody(status: 200, body: Self.deepArray)], pathPrefix: "/\(tenant)/oauth2")
            await #expect(throws: DirectoryError.self) { _ = try await harness.directory.verifyPermissions() }
        }
    }
}
