package import Foundation
package import NIOCore

/// The directory a ``GraphDouble`` serves: users and groups as Graph JSON objects, and each
/// group's direct members (user or group ids). Read from the same export format as
/// `FileDirectory` (`{"users", "groups", "members"}`), or generated.
package struct GraphDoubleDirectory: Sendable {
    /// Users in listing order; each has a string `id`.
    package var users: [JSONObject]
    /// Groups in listing order; each has `id`, `displayName`, `mailEnabled`, `securityEnabled`, `groupTypes`.
    package var groups: [JSONObject]
    /// Group id → direct member ids.
    package var members: [String: [String]]
    /// User id → profile photo; a user without one answers 404 `ImageNotFound`.
    package var photos: [String: GraphDoublePhoto]

    package init(
        users: [JSONObject] = [],
        groups: [JSONObject] = [],
        members: [String: [String]] = [:],
        photos: [String: GraphDoublePhoto] = [:]
    ) {
        self.users = users
        self.groups = groups
        self.members = members
        self.photos = photos
    }

    /// Reads an export file such as `Sources/RosterDirectory/Resources/demo-directory.json`.
    package init(contentsOf url: URL) throws {
        struct Photo: Decodable {
            var contentType: String
            var etag: String
            var data: String
        }
        struct Export: Decodable {
            var users: [JSONValue]?
            var groups: [JSONValue]?
            var members: [String: [String]]?
            var photos: [String: Photo]?
        }
        let export = try JSONDecoder().decode(Export.self, from: Data(contentsOf: url))
        func objects(_ values: [JSONValue]?) -> [JSONObject] {
            (values ?? []).compactMap { if case .object(let object) = $0 { object } else { nil } }
        }
        var photos: [String: GraphDoublePhoto] = [:]
        for (id, photo) in export.photos ?? [:] {
            photos[id] = GraphDoublePhoto(
                etag: photo.etag,
                contentType: photo.contentType,
                bytes: [UInt8](Data(base64Encoded: photo.data) ?? Data())
            )
        }
        self.init(
            users: objects(export.users),
            groups: objects(export.groups),
            members: export.members ?? [:],
            photos: photos
        )
    }

    /// `count` users with every contact property filled in, ids `00000000-0000-4000-8000-{n:012}`:
    /// the same bytes on every run. No groups.
    package static func generated(userCount count: Int) -> GraphDoubleDirectory {
        let cities = ["London", "Paris", "München", "東京", "دبي", "Kyiv", "São Paulo", "Zürich"]
        let departments = ["Engineering", "Sales", "Marketing", "Finance", "Research & Development"]
        var users: [JSONObject] = []
        users.reserveCapacity(count)
        for n in 0..<count {
            var attributes = JSONObject()
            for slot in 1...15 {
                attributes["extensionAttribute\(slot)"] = slot <= 2 ? .string("EXT\(slot)-\(n)") : .null
            }
            let city = cities[n % cities.count]
            users.append([
                "id": .string(userID(n)),
                "userPrincipalName": .string("user\(n)@contoso.example"),
                "mail": n % 50 == 0 ? .null : .string("user\(n)@contoso.example"),
                "displayName": .string("Generated Üser \(n)"),
                "givenName": "Generated",
                "surname": .string("Üser \(n)"),
                "jobTitle": n % 3 == 0 ? "Engineer \"II\"" : "Account Manager",
                "department": .string(departments[n % departments.count]),
                "companyName": "Contoso Ltd",
                "officeLocation": .string("\(city) Office"),
                "businessPhones": .array([.string("+44 20 7946 \(String(format: "%04d", n % 10_000))")]),
                "mobilePhone": .string("+44 7700 \(String(format: "%06d", n % 1_000_000))"),
                "faxNumber": .null,
                "streetAddress": .string("\(n % 300 + 1) King's Road"),
                "city": .string(city),
                "state": .null,
                "postalCode": "SW3 4TR",
                "country": "United Kingdom",
                "onPremisesExtensionAttributes": .object(attributes),
                "accountEnabled": .bool(n % 97 != 0),
                "userType": n % 101 == 0 ? "Guest" : "Member",
            ])
        }
        return GraphDoubleDirectory(users: users)
    }

    /// Gives each of `userIDs` a photo of the same `bytes`, one storage shared by all (so that
    /// 10,000 photos cost the memory of one), with the etag `"<etagPrefix>-<index in userIDs>"`.
    package mutating func addPhotos(
        userIDs: [String],
        bytes: [UInt8],
        contentType: String = "image/jpeg",
        etagPrefix: String = "photo"
    ) {
        let shared = ByteBuffer(bytes: bytes)
        for (index, id) in userIDs.enumerated() {
            photos[id] = GraphDoublePhoto(etag: "\"\(etagPrefix)-\(index)\"", contentType: contentType, bytes: shared)
        }
    }

    /// The id of generated user `n`.
    package static func userID(_ n: Int) -> String {
        "00000000-0000-4000-8000-" + String(format: "%012d", n)
    }
}

/// A profile photo the double serves: metadata at `/users/{id}/photo`, bytes at `/photo/$value`.
package struct GraphDoublePhoto: Sendable, Hashable {
    /// `@odata.mediaEtag`, as Graph spells it (quotes included).
    package var etag: String
    /// `@odata.mediaContentType` and the `$value` reply's `Content-Type`.
    package var contentType: String
    /// The image; a buffer, so that thousands of generated photos can share one storage.
    package var bytes: ByteBuffer

    package init(etag: String, contentType: String = "image/jpeg", bytes: ByteBuffer) {
        self.etag = etag
        self.contentType = contentType
        self.bytes = bytes
    }

    package init(etag: String, contentType: String = "image/jpeg", bytes: [UInt8]) {
        self.init(etag: etag, contentType: contentType, bytes: ByteBuffer(bytes: bytes))
    }

    /// The image as an array.
    package var image: [UInt8] { Array(bytes.readableBytesView) }
}
