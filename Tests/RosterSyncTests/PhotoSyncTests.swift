import GraphTestDouble
import Logging
import RecordingLogs
import RosterDirectory
import RosterStore
import RosterSync
import Synchronization
import Testing

/// Photos in a sync: fetched after the apply for every contact in scope, only when changed, at
/// most 4 at once, deleted with their contacts, a failure counted and never failing the job,
/// the tenant's switch respected.
@Suite("Photos in a sync")
struct PhotoSyncTests {
    static let tenant = SyncFixture.tenant

    /// Generated user `n`'s photo bytes, version `version`.
    static func image(_ n: Int, version: Int = 0) -> [UInt8] {
        Array("photo \(n) v\(version)".utf8) + [0x89, 0x00, 0xFF]
    }

    /// The store's photos of the tenant, by contact id.
    static func storedPhotos(_ fixture: SyncFixture) async throws -> [String: ContactPhoto] {
        var photos: [String: ContactPhoto] = [:]
        for id in try await fixture.store.photoETags(tenant: tenant).keys {
            photos[id] = try await fixture.store.photo(tenant: tenant, contactID: id)
        }
        return photos
    }

    @Test("the demo directory: each contact's photo is stored, a second sync writes none, a group scope drops others")
    func demoDirectory() async throws {
        let fixture = try await SyncFixture.make()
        defer { Task { await fixture.tearDown() } }
        let demo = try SyncFixture.demo()
        let first = try await fixture.sync()
        #expect(first.state == .succeeded)
        let contacts = try await fixture.contacts()
        let expected = demo.export.photos.filter { contacts[$0.key] != nil }
        #expect(expected.count == 18, "20 photos, a guest's and a disabled account's left out")
        let stored = try await Self.storedPhotos(fixture)
        #expect(Set(stored.keys) == Set(expected.keys))
        for (id, photo) in expected {
            #expect(stored[id]?.bytes == photo.bytes && stored[id]?.etag == photo.etag)
            #expect(stored[id]?.contentType == "image/png")
            #expect(try await fixture.store.contact(tenant: Self.tenant, id: id)?.photoETag == photo.etag)
        }
        #expect(
            first.summary?.hasSuffix("; photos: 947 checked, 18 new or changed, 0 removed") == true,
            "\(first.summary ?? "")"
        )

        // The job stores the counts, so that its summary reads the same from the store.
        let stored1 = try #require(try await fixture.store.job(id: first.jobID))
        #expect(stored1.photos == PhotoCounts(checked: 947, written: 18))
        #expect(SyncProgress(job: stored1).summary == first.summary)

        let second = try await fixture.sync()
        #expect(second.summary?.hasSuffix("; photos: 947 checked, 0 new or changed, 0 removed") == true)
        #expect(try await Self.storedPhotos(fixture) == stored, "nothing rewritten: the same change times")

        // UK Staff: the contacts outside it go, and their photos with them.
        let group = try await fixture.sync(.group(id: Demo.ukStaff, name: "UK Staff"), acknowledge: true)
        #expect(group.state == .succeeded && group.removed > 0)
        let kept = try await fixture.contacts()
        let left = try await fixture.store.photoETags(tenant: Self.tenant)
        #expect(Set(left.keys) == Set(expected.keys.filter { kept[$0] != nil }))
        #expect(left.count < expected.count)
    }

    @Test("against the Graph double: all photos first; after one change, exactly that one is downloaded")
    func onlyChangedPhotos() async throws {
        try await DeltaSyncTests.withDouble(users: 60) { double, fixture, _ in
            let withPhotos = [1, 2, 3, 5, 8, 13, 21, 34, 55]
            for n in withPhotos { double.setPhoto(userID: GraphDoubleDirectory.userID(n), bytes: Self.image(n)) }
            let first = try await fixture.sync()
            #expect(first.state == .succeeded)
            let contacts = first.total ?? 0
            #expect(double.photoRequests.filter { !$0.value }.count == contacts, "one metadata request per contact")
            #expect(double.photoRequests.filter(\.value).count == withPhotos.count)
            let stored = try await Self.storedPhotos(fixture)
            #expect(stored.count == withPhotos.count)
            #expect(stored[GraphDoubleDirectory.userID(8)]?.bytes == Self.image(8))

            let before = double.photoRequests.count
            let changed = GraphDoubleDirectory.userID(13)
            let etag = double.setPhoto(userID: changed, contentType: "image/png", bytes: Self.image(13, version: 1))
            double.removePhoto(userID: GraphDoubleDirectory.userID(21))
            let delta = try await fixture.sync()
            #expect(delta.state == .succeeded && delta.mode == .delta)
            let requests = double.photoRequests.dropFirst(before)
            #expect(requests.filter(\.value).map(\.userID) == [changed], "only the changed photo's bytes")
            #expect(requests.filter { !$0.value }.count == contacts, "delta does not report photos: every one asked")
            let after = try await Self.storedPhotos(fixture)
            #expect(after[changed]?.etag == etag && after[changed]?.bytes == Self.image(13, version: 1))
            #expect(after[changed]?.contentType == "image/png")
            #expect(after[GraphDoubleDirectory.userID(21)] == nil, "a photo taken away is deleted")
            #expect(after.count == withPhotos.count - 1)
            #expect(after[GraphDoubleDirectory.userID(8)] == stored[GraphDoubleDirectory.userID(8)])
            #expect(delta.summary?.hasSuffix("photos: \(contacts) checked, 1 new or changed, 1 removed") == true)
        }
    }

    @Test("with photos off for the tenant, a sync asks for none")
    func photosOff() async throws {
        try await DeltaSyncTests.withDouble(users: 30) { double, fixture, _ in
            double.setPhoto(userID: GraphDoubleDirectory.userID(1), bytes: Self.image(1))
            try await fixture.updateTenant { $0.syncPhotos = false }
            let final = try await fixture.sync()
            #expect(final.state == .succeeded && final.added > 0)
            #expect(double.photoRequests.isEmpty)
            #expect(try await fixture.store.photoETags(tenant: Self.tenant).isEmpty)
            #expect(final.summary?.contains("photos") == false)
        }
    }

    @Test("at most 4 photo requests are in flight for the tenant")
    func inFlightBound() async throws {
        var configuration = GraphDouble.Configuration()
        configuration.photoReplyDelay = .milliseconds(20)
        try await DeltaSyncTests.withDouble(users: 40, doubleConfiguration: configuration) { double, fixture, _ in
            for n in 1..<40 { double.setPhoto(userID: GraphDoubleDirectory.userID(n), bytes: Self.image(n)) }
            let final = try await fixture.sync()
            #expect(final.state == .succeeded)
            #expect(try await fixture.store.photoETags(tenant: Self.tenant).count == 39)
            #expect(double.maxPhotoRequestsInFlight <= 4)
            #expect(double.maxPhotoRequestsInFlight >= 2, "photos are fetched side by side")
        }
    }

    @Test("a photo that fails is counted and noted; the job succeeds with the other photos stored")
    func oneFailure() async throws {
        try await DeltaSyncTests.withDouble(users: 20) { double, fixture, _ in
            for n in 1...5 { double.setPhoto(userID: GraphDoubleDirectory.userID(n), bytes: Self.image(n)) }
            let broken = GraphDoubleDirectory.userID(3)
            double.injectPhotoFaults(
                [.rawReply(status: 200, contentType: "text/html", body: Array("<html>".utf8))],
                userID: broken
            )
            // The fault is served to user 3's first photo request (its metadata): a malformed reply.
            let final = try await fixture.sync()
            #expect(final.state == .succeeded)
            #expect(final.summary?.hasSuffix("4 new or changed, 0 removed, 1 failed") == true, "\(final.summary ?? "")")
            let stored = try await fixture.store.photoETags(tenant: Self.tenant)
            #expect(Set(stored.keys) == Set([1, 2, 4, 5].map(GraphDoubleDirectory.userID)))
            let job = try #require(try await fixture.store.job(id: "job-1"))
            #expect(job.state == .succeeded)
            #expect(job.note?.hasPrefix("1 photo could not be synced (first: ") == true, "\(job.note ?? "")")
            #expect(job.note?.hasSuffix("the next sync tries them again") == true)
            #expect(fixture.notes.all.map(\.job) == ["job-1"])
            // The next sync fetches it.
            let again = try await fixture.sync()
            #expect(again.summary?.hasSuffix("1 new or changed, 0 removed") == true, "\(again.summary ?? "")")
            #expect(try await fixture.store.photoETags(tenant: Self.tenant).count == 5)
        }
    }

    @Test("after 25 failures in a row the refresh stops asking; the job succeeds and its note says so")
    func consecutiveFailures() async throws {
        try await DeltaSyncTests.withDouble(users: 80) { double, fixture, _ in
            double.injectPhotoFaults(Array(repeating: .rawBody(status: 200, body: "{"), count: 200))
            let final = try await fixture.sync()
            #expect(final.state == .succeeded)
            let asked = double.photoRequests.count
            #expect(asked >= 25 && asked <= 28, "stops at the 25th failure; at most 3 more were in flight")
            #expect((final.total ?? 0) > 70)
            let job = try #require(try await fixture.store.job(id: "job-1"))
            #expect(job.note?.contains("were not checked: the refresh stopped early") == true, "\(job.note ?? "")")
            #expect(final.summary?.contains("not checked") == true)
        }
    }

    @Test("a cancel during the photo refresh stops it; the applied contacts stand and the job succeeds")
    func cancelDuringPhotos() async throws {
        try await DeltaSyncTests.withDouble(users: 60) { double, fixture, _ in
            for n in 1..<60 { double.setPhoto(userID: GraphDoubleDirectory.userID(n), bytes: Self.image(n)) }
            // The photo requests of the first user asked about are answered; every other one is
            // held until after the cancel.
            let first = Mutex<String?>(nil)
            double.holdReplies { request in
                guard let photo = GraphDouble.photoRequest(path: request.path) else { return false }
                return first.withLock { first in
                    if first == nil { first = photo.userID }
                    return first != photo.userID
                }
            }
            defer { double.releaseHeldReplies() }
            let started = try await fixture.manager.start(SyncRequest(tenantID: Self.tenant, scope: .allUsers))
            // Wait until the refresh has written that one photo, then cancel.
            while try await fixture.store.photoETags(tenant: Self.tenant).isEmpty {
                try await Task.sleep(for: .milliseconds(20))
            }
            _ = try await fixture.manager.cancel(tenant: Self.tenant)
            double.releaseHeldReplies()
            await fixture.manager.waitForActiveJob(tenant: Self.tenant)
            let final = try #require(fixture.manager.progress.latest(job: started.job.id))
            #expect(final.state == .succeeded, "the contacts were applied before the cancel")
            #expect(try await fixture.contacts().count == final.total)
            let stored = try await fixture.store.photoETags(tenant: Self.tenant).count
            #expect(stored > 0 && stored < 59, "some photos, not all: \(stored)")
            let job = try #require(try await fixture.store.job(id: started.job.id))
            #expect(job.note?.contains("not checked: the refresh stopped early") == true, "\(job.note ?? "")")
            #expect(job.note?.contains("could not be synced") == false, "a cancelled request is not a failure")
            // The next sync completes the photos.
            let next = try await fixture.sync()
            #expect(next.state == .succeeded)
            #expect(try await fixture.store.photoETags(tenant: Self.tenant).count == 59)
        }
    }

    /// The demo directory whose photo service always fails.
    struct FailingPhotos: DirectorySource {
        let demo: FileDirectory

        func verifyPermissions() async throws(DirectoryError) -> [String] { try await demo.verifyPermissions() }
        func users() -> DirectoryPages<DirectoryPage<DirectoryUser>> { demo.users() }
        func mailEnabledSecurityGroups() -> DirectoryPages<DirectoryPage<DirectoryGroup>> {
            demo.mailEnabledSecurityGroups()
        }
        func group(id: String) async throws(DirectoryError) -> DirectoryGroup { try await demo.group(id: id) }
        func transitiveUserMembers(ofGroup id: String) -> DirectoryPages<DirectoryPage<DirectoryUser>> {
            demo.transitiveUserMembers(ofGroup: id)
        }
        func userChanges(since deltaLink: String?) -> DirectoryPages<DeltaPage> { demo.userChanges(since: deltaLink) }
        func photo(userID: String, knownETag: String?) async throws(DirectoryError) -> PhotoFetch {
            throw DirectoryError(.transient, "the photo service is down")
        }
    }

    @Test("photo failures are logged at warning, the first ten of a job only; the note goes to the log once")
    func failuresLoggedBounded() async throws {
        let log = RecordingLogHandler(level: .info)
        let fixture = try await SyncFixture.make(
            source: FailingPhotos(demo: try SyncFixture.demo()),
            logger: .recording(log)
        )
        defer { Task { await fixture.tearDown() } }
        let final = try await fixture.sync()
        #expect(final.state == .succeeded)
        let failures = log.lines.filter { $0.message == "a contact's photo was not synced" }
        #expect(failures.count == 10, "25 failures in a row, the first ten logged")
        #expect(failures.allSatisfy { $0.level == .warning })
        #expect(failures.first?.metadata[SyncLogKey.contact.rawValue] != nil)
        #expect(failures.first?.metadata[SyncLogKey.job.rawValue] == "job-1")
        let error = failures.first?.metadata[SyncLogKey.error.rawValue].map { "\($0)" } ?? ""
        #expect(error.contains("the photo service is down"), "\(error)")
        let noted = log.lines.filter { $0.message == "sync job changed course" }
        #expect(noted.count == 1)
        let note = noted.first?.metadata[SyncLogKey.note.rawValue].map { "\($0)" } ?? ""
        // 25 in a row stop it; up to 3 more were in flight then.
        #expect(["25", "26", "27", "28"].contains { note.hasPrefix("\($0) photos could not be synced (first: ") })
        #expect(note.contains("not checked: the refresh stopped early"), "\(note)")
    }
}
