import Foundation
import GraphTestDouble
import RosterDirectory
import Testing

/// `GraphDirectory.photo(userID:knownETag:)` against the Graph double: the metadata first, the
/// bytes only when the etag differs, 404 as no photo, the size bound, throttling through the
/// transport, and replies a hostile endpoint might send.
@Suite("GraphDirectory photos against the Graph double")
struct GraphDirectoryPhotoTests {
    static let user = GraphDoubleDirectory.userID(1)
    static let image: [UInt8] = Array("\u{89}PNG fake image bytes".utf8)

    /// Two generated users; user 1 has a photo.
    static func directory() -> GraphDoubleDirectory {
        var directory = GraphDoubleDirectory.generated(userCount: 2)
        directory.photos[user] = GraphDoublePhoto(etag: "\"E1\"", contentType: "image/jpeg", bytes: image)
        return directory
    }

    @Test("a new photo: metadata, then $value; bytes, media type and etag come back")
    func newPhoto() async throws {
        try await GraphDoubleHarness.run(Self.directory()) { harness in
            let fetched = try await harness.directory.photo(userID: Self.user, knownETag: nil)
            #expect(fetched == .changed(DirectoryPhoto(etag: "\"E1\"", contentType: "image/jpeg", bytes: Self.image)))
            #expect(
                harness.double.photoRequests == [
                    .init(userID: Self.user, value: false), .init(userID: Self.user, value: true),
                ]
            )
            let value = try #require(harness.graphRequests().last)
            #expect(value.path == "/v1.0/users/\(Self.user)/photo/$value")
            #expect(value.headers["accept"] == "image/*")
        }
    }

    @Test("the etag the caller holds: unchanged, and no $value request")
    func unchanged() async throws {
        try await GraphDoubleHarness.run(Self.directory()) { harness in
            #expect(try await harness.directory.photo(userID: Self.user, knownETag: "\"E1\"") == .unchanged)
            #expect(harness.double.photoRequests == [.init(userID: Self.user, value: false)])
            // Changed in the directory: the same etag held now fetches the new bytes.
            let etag = harness.double.setPhoto(userID: Self.user, contentType: "image/png", bytes: [1, 2, 3])
            let fetched = try await harness.directory.photo(userID: Self.user, knownETag: "\"E1\"")
            #expect(fetched == .changed(DirectoryPhoto(etag: etag, contentType: "image/png", bytes: [1, 2, 3])))
        }
    }

    @Test("404 means no photo: a user without one, and an unknown user")
    func noPhoto() async throws {
        try await GraphDoubleHarness.run(Self.directory()) { harness in
            let without = try await harness.directory.photo(userID: GraphDoubleDirectory.userID(0), knownETag: nil)
            let unknown = try await harness.directory.photo(userID: "no-such-user", knownETag: "\"E1\"")
            #expect(without == .none && unknown == .none)
            #expect(harness.double.photoRequests.allSatisfy { !$0.value }, "no $value after a 404")
        }
    }

    @Test("a photo over maximumPhotoBytes fails with limitExceeded; one at the bound is accepted")
    func sizeBound() async throws {
        try await GraphDoubleHarness.run(Self.directory(), configure: { $0.maximumPhotoBytes = 1_000 }) { harness in
            harness.double.setPhoto(userID: Self.user, bytes: Array(repeating: 7, count: 1_000))
            guard case .changed(let photo) = try await harness.directory.photo(userID: Self.user, knownETag: nil) else {
                Issue.record("the photo at the bound was not fetched")
                return
            }
            #expect(photo.bytes.count == 1_000)

            harness.double.setPhoto(userID: Self.user, bytes: Array(repeating: 7, count: 1_001))
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.photo(userID: Self.user, knownETag: nil)
            }
            #expect(error.code == .limitExceeded)
            #expect(error.message.contains("more than 1000 bytes"), "\(error.message)")
            #expect(error.message.contains("not synced"), "\(error.message)")
        }
    }

    @Test("the default bound is 4 MB: a 4,000,001-byte photo is refused")
    func defaultBound() async throws {
        try await GraphDoubleHarness.run(Self.directory()) { harness in
            harness.double.setPhoto(userID: Self.user, bytes: Array(repeating: 1, count: 4_000_001))
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.photo(userID: Self.user, knownETag: nil)
            }
            #expect(error.code == .limitExceeded)
        }
    }

    @Test("throttled photo requests wait out Retry-After through the transport, then succeed")
    func throttledThenServed() async throws {
        try await GraphDoubleHarness.run(Self.directory()) { harness in
            harness.double.injectPhotoFaults([.throttle(retryAfter: 3), .throttle(retryAfter: 5)], userID: Self.user)
            let fetched = try await harness.directory.photo(userID: Self.user, knownETag: nil)
            #expect(fetched == .changed(DirectoryPhoto(etag: "\"E1\"", contentType: "image/jpeg", bytes: Self.image)))
            #expect(harness.recorder.sleeps == [.seconds(3), .seconds(5)])
            #expect(harness.recorder.throttles.map(\.status) == [429, 429])
            #expect(harness.double.photoRequests.count == 4, "metadata twice throttled, then metadata and $value")
        }
    }

    @Test(
        "hostile replies fail with a clear error, never a crash",
        arguments: [
            (GraphDouble.Fault.rawBody(status: 200, body: "{not json"), "cannot read"),
            (.rawBody(status: 200, body: #"{"@odata.mediaContentType":"image/jpeg"}"#), "no @odata.mediaEtag"),
            (.rawBody(status: 200, body: #"{"@odata.mediaEtag":""}"#), "printable ASCII"),
            (.rawBody(status: 200, body: #"{"@odata.mediaEtag":"\u0000bad"}"#), "printable ASCII"),
            (
                .rawBody(status: 200, body: #"{"@odata.mediaEtag":"\#(String(repeating: "e", count: 257))"}"#),
                "1 to 256"
            ),
            (
                .rawBody(status: 200, body: #"{"@odata.mediaEtag":\#(String(repeating: "[", count: 60_000))"#),
                "cannot read"
            ),
            (
                .rawReply(status: 200, contentType: "application/json", body: Array(repeating: 32, count: 70_000)),
                "more than 65536 bytes"
            ),
        ]
    )
    func hostileMetadata(fault: GraphDouble.Fault, expected: String) async throws {
        try await GraphDoubleHarness.run(Self.directory()) { harness in
            harness.double.injectPhotoFaults([fault])
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.photo(userID: Self.user, knownETag: nil)
            }
            #expect(error.code == .permanent)
            #expect(error.message.contains("GET /v1.0/users/{id}/photo"), "\(error.message)")
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test(
        "a $value that is not an image, or is empty, is refused",
        arguments: [
            ("text/html", Array("<html>sign in</html>".utf8), "Content-Type \"text/html\""),
            ("image/", [1, 2], "not an image"),
            ("image/jpeg/x", [1, 2], "not an image"),
            ("image/" + String(repeating: "x", count: 95), [1, 2], "not an image"),
            ("image/png", [], "empty body"),
        ]
    )
    func hostileValue(contentType: String, body: [UInt8], expected: String) async throws {
        try await GraphDoubleHarness.run(Self.directory()) { harness in
            // The metadata answers normally; the fault is served to the $value request.
            let metadata = #"{"@odata.mediaEtag":"\"E9\"","@odata.mediaContentType":"image/png"}"#
            harness.double.injectPhotoFaults([
                .rawBody(status: 200, body: metadata),
                .rawReply(status: 200, contentType: contentType, body: body),
            ])
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.photo(userID: Self.user, knownETag: nil)
            }
            #expect(error.code == .permanent)
            #expect(error.message.contains("$value"), "\(error.message)")
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test("FileDirectory serves the demo directory's photos, with the same etag rule")
    func fileDirectory() async throws {
        let demo = try FileDirectory.demo()
        #expect(demo.export.photos.count == 20)
        let (id, photo) = try #require(demo.export.photos.min { $0.key < $1.key })
        #expect(photo.contentType == "image/png")
        #expect(Array(photo.bytes.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        #expect(try await demo.photo(userID: id, knownETag: nil) == .changed(photo))
        #expect(try await demo.photo(userID: id, knownETag: photo.etag) == .unchanged)
        let without = try #require(demo.export.users.first { demo.export.photos[$0.id] == nil })
        #expect(try await demo.photo(userID: without.id, knownETag: nil) == PhotoFetch.none)
    }
}
