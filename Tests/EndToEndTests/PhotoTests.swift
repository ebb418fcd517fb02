import Foundation
import GraphTestDouble
import RosterClient
import RosterRPC
import RosterWire
import Testing

/// GetContactPhoto through a real rosterd syncing from the Graph double serving the demo
/// directory (20 users with photos, 18 of them in scope).
@Suite("Contact photos against rosterd")
struct PhotoTests {
    @Test(
        "sync, GetContactPhoto by id and mail, if_none_match, a changed photo fetched alone, photos off, refusals"
    )
    func photos() async throws {
        try await Scenario.run(photos: true) { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            let first = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(first.state == .succeeded)
            #expect(first.summary?.text.contains("; photos: 947 checked, 18 new or changed") == true)
            #expect(scenario.double.photoRequests.filter(\.value).count == 18)

            // A reader reads them: the bytes the double serves, its media type and etag.
            let reader = try scenario.client(scenario.acme.reader)
            let ids = try await scenario.contactIDs(reader)
            let withPhoto = scenario.directory.photos.keys.filter(ids.contains).sorted()
            #expect(withPhoto.count == 18)
            let id = try #require(withPhoto.first)
            let served = try #require(scenario.double.photo(userID: id))
            let photo = try await reader.contactPhoto(.id(id))
            #expect(photo.photo == served.image)
            #expect(photo.contentType == served.contentType && photo.etag == served.etag && !photo.notModified)
            let contact = try await reader.getContact(id: id)
            #expect(contact.photoEtag == served.etag)
            if !contact.mail.isEmpty {
                #expect(try await reader.contactPhoto(.mail(contact.mail.uppercased())).etag == served.etag)
            }

            // The etag held: not modified, no bytes.
            let cached = try await reader.contactPhoto(.id(id), ifNoneMatch: served.etag)
            #expect(cached.notModified && cached.photo.isEmpty && cached.contentType.isEmpty)
            #expect(cached.etag == served.etag)
            #expect(!(try await reader.contactPhoto(.id(id), ifNoneMatch: "\"stale\"")).notModified)

            // No such contact, and a contact without a photo: NOT_FOUND saying which.
            let nobody = await expectStatus(.notFound) { _ = try await reader.contactPhoto(.id("nobody")) }
            #expect(nobody?.message.hasPrefix("no contact with id nobody") == true)
            let plain = try #require(ids.sorted().first { scenario.directory.photos[$0] == nil })
            let none = await expectStatus(.notFound) { _ = try await reader.contactPhoto(.id(plain)) }
            #expect(none?.message.contains("has no photo") == true, "\(none?.message ?? "")")
            #expect(try await reader.getContact(id: plain).photoEtag.isEmpty)
            let invalid = await expectStatus(.invalidArgument) { _ = try await reader.contactPhoto(.mail("ada")) }
            #expect(invalid?.message.hasPrefix("GetContactPhoto's mail \"ada\" has no '@'") == true)

            // Another tenant's key does not see acme's photos.
            let beta = try scenario.client(scenario.beta.reader)
            await expectStatus(.notFound) { _ = try await beta.contactPhoto(.id(id)) }

            // One photo changes in the directory: the next sync downloads exactly that one.
            let changed = withPhoto[1]
            let before = scenario.double.photoRequests.count
            let etag = scenario.double.setPhoto(userID: changed, contentType: "image/jpeg", bytes: [0xFF, 0xD8, 1, 2])
            let second = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(second.state == .succeeded)
            let requests = scenario.double.photoRequests.dropFirst(before)
            #expect(requests.filter(\.value).map(\.userID) == [changed])
            let updated = try await reader.contactPhoto(.id(changed), ifNoneMatch: served.etag)
            #expect(updated.etag == etag && updated.photo == [0xFF, 0xD8, 1, 2] && updated.contentType == "image/jpeg")

            // Photos off for the tenant: a sync asks for none; the stored ones are still served.
            var settings = UpdateSettingsRequest()
            settings.syncPhotos = false
            let off = try await admin.updateSettings(settings)
            #expect(off.settings?.syncPhotos == false)
            #expect(try await admin.getStatus().settings?.syncPhotos == false)
            let quiet = scenario.double.photoRequests.count
            let third = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(third.state == .succeeded)
            #expect(scenario.double.photoRequests.count == quiet)
            #expect(try await reader.contactPhoto(.id(id)).etag == served.etag)
            // An editor may not change settings, a reader may read photos (any role).
            let editor = try scenario.client(scenario.acme.editor)
            await expectStatus(.permissionDenied) { _ = try await editor.updateSettings(settings) }
            #expect(try await editor.contactPhoto(.id(id)).etag == served.etag)
        }
    }

    @Test(
        "the largest photo a sync keeps (4,000,000 bytes) travels in one GetContactPhoto answer; a larger one is not kept"
    )
    func largestPhoto() async throws {
        try await Scenario.run(photos: true) { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            let ids = scenario.directory.photos.keys.sorted()
            let (largest, tooLarge) = (ids[0], ids[1])
            let image = (0..<4_000_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            let etag = scenario.double.setPhoto(userID: largest, bytes: image)
            scenario.double.setPhoto(userID: tooLarge, bytes: Array(repeating: 1, count: 4_000_001))
            let final = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(final.state == .succeeded)
            #expect(
                final.summary?.text.contains("17 new or changed, 0 removed, 1 failed") == true,
                "\(final.summary?.text ?? "")"
            )
            let status = try await admin.getStatus()
            #expect(status.lastFinishedJob?.note.contains("1 photo could not be synced") == true)
            #expect(status.lastFinishedJob?.note.contains("more than 4000000 bytes") == true)

            let reader = try scenario.client(scenario.acme.reader)
            let photo = try await reader.contactPhoto(.id(largest))
            #expect(
                photo.etag == etag && photo.photo == image,
                "the whole image in one answer of the default frame size"
            )
            await expectStatus(.notFound) { _ = try await reader.contactPhoto(.id(tooLarge)) }
        }
    }
}
