package import Foundation

/// A Graph-shaped JSON export as a ``DirectorySource``; the bundled demo directory is one.
///
/// The file is one JSON object:
/// ```json
/// {"users":   [Graph user objects, as /v1.0/users returns them],
///  "groups":  [{"id", "displayName", "mail", "mailEnabled", "securityEnabled", "groupTypes"}],
///  "members": {"<group id>": ["<user or group id>", …]},
///  "photos":  {"<user id>": {"contentType": "image/png", "etag": "\"…\"", "data": "<base64>"}}}
/// ```
/// Users are decoded by the same decoder as Graph's pages (`GraphUserPage`), so missing and null
/// properties mean the same here. `members` lists direct members; nested groups are expanded by
/// ``transitiveUserMembers(ofGroup:)``.
///
/// **Delta:** an export keeps no change history. `userChanges(since: nil)` lists every user as
/// changed and ends with the delta link ``FileDirectory/deltaLink``; `userChanges(since:)` with any
/// link throws ``DirectoryError/Code/resyncRequired``, so a sync falls back to a full run, which
/// is exact for a file.
package struct FileDirectory: DirectorySource {
    /// The delta link the first `userChanges(since: nil)` hands out; passing it back asks for a full sync.
    package static let deltaLink = "roster-file-directory:no-change-history"

    /// The decoded export.
    package struct Export: Sendable {
        package var users: [DirectoryUser]
        package var groups: [DirectoryGroup]
        /// Group id → direct member ids (users or groups).
        package var members: [String: [String]]
        /// User id → profile photo.
        package var photos: [String: DirectoryPhoto]

        package init(
            users: [DirectoryUser],
            groups: [DirectoryGroup],
            members: [String: [String]],
            photos: [String: DirectoryPhoto] = [:]
        ) {
            self.users = users
            self.groups = groups
            self.members = members
            self.photos = photos
        }

        /// Decodes an export: users through Graph's page decoder (with the additional user
        /// properties `attributes`), groups and members with `JSONDecoder`.
        package init(json data: Data, attributes: [String] = []) throws {
            struct Photo: Decodable {
                var contentType: String
                var etag: String?
                var data: String
            }
            struct GroupsAndMembers: Decodable {
                var groups: [DirectoryGroup]?
                var members: [String: [String]]?
                var photos: [String: Photo]?
            }
            let rest = try JSONDecoder().decode(GroupsAndMembers.self, from: data)
            users = try data.withUnsafeBytes { try GraphUserPage.readExportUsers($0, attributes: attributes) }
            groups = rest.groups ?? []
            members = rest.members ?? [:]
            photos = [:]
            for (id, photo) in rest.photos ?? [:] {
                guard let bytes = Data(base64Encoded: photo.data), !bytes.isEmpty else {
                    throw DirectoryError(.permanent, "the photo of user \(id) is not base64 image data")
                }
                let image = [UInt8](bytes)
                photos[id] = DirectoryPhoto(
                    etag: photo.etag ?? Self.etag(of: image),
                    contentType: photo.contentType,
                    bytes: image
                )
            }
        }

        /// An etag for a photo that came without one: a 64-bit FNV-1a of its bytes, quoted.
        static func etag(of bytes: [UInt8]) -> String {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
            return "\"" + String(hash, radix: 16, uppercase: true) + "\""
        }
    }

    /// Tunables.
    package struct Configuration: Sendable {
        /// Items per page, as Graph's `$top`. Default 999.
        package var pageSize = 999
        /// Additional user properties (``UserAttributes``) read from each user into
        /// `DirectoryUser.attributes`. Default none.
        package var attributes: [String] = []

        package init() {}
    }

    /// The export as read.
    package let export: Export
    private let configuration: Configuration
    private let usersByID: [String: DirectoryUser]
    private let groupsByID: [String: DirectoryGroup]

    /// A directory over an already decoded export.
    package init(export: Export, configuration: Configuration = Configuration()) {
        self.export = export
        self.configuration = configuration
        self.usersByID = Dictionary(export.users.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        self.groupsByID = Dictionary(export.groups.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Reads and decodes an export file. Throws ``DirectoryError/Code/permanent`` naming the file
    /// and what is wrong with it.
    package init(contentsOf url: URL, configuration: Configuration = Configuration()) throws(DirectoryError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DirectoryError(
                .permanent,
                "cannot read the directory file \(url.path): \(error.localizedDescription)"
            )
        }
        do {
            self.init(
                export: try Export(json: data, attributes: configuration.attributes),
                configuration: configuration
            )
        } catch {
            throw DirectoryError(
                .permanent,
                "\(url.path) is not a Graph-shaped directory export ({\"users\", \"groups\", \"members\"}): \(error)"
            )
        }
    }

    /// The bundled demo directory (about 1,000 users, groups of every kind), shipped as a resource.
    package static func demo(configuration: Configuration = Configuration()) throws(DirectoryError) -> FileDirectory {
        guard let url = demoURL else {
            throw DirectoryError(.permanent, "the demo directory resource is missing from this build")
        }
        return try FileDirectory(contentsOf: url, configuration: configuration)
    }

    /// Where the bundled demo directory file is (so a Graph double can serve the same file).
    package static var demoURL: URL? {
        Bundle.module.url(forResource: "demo-directory", withExtension: "json")
    }

    // MARK: - DirectorySource

    /// Always succeeds: a file needs no credentials.
    @discardableResult
    package func verifyPermissions() async throws(DirectoryError) -> [String] {
        // An export needs no permission; report what a fully consented app registration holds.
        (GraphDirectory.requiredRoles.union(["GroupMember.Read.All"])).sorted()
    }

    package func users() -> DirectoryPages<DirectoryPage<DirectoryUser>> {
        paged(export.users)
    }

    package func mailEnabledSecurityGroups() -> DirectoryPages<DirectoryPage<DirectoryGroup>> {
        paged(export.groups.filter { $0.kind == .mailEnabledSecurity })
    }

    package func group(id: String) async throws(DirectoryError) -> DirectoryGroup {
        guard let group = groupsByID[id] else {
            throw DirectoryError(.notFound, "no group with id \(id) in the directory file", httpStatus: 404)
        }
        return group
    }

    package func transitiveUserMembers(ofGroup id: String) -> DirectoryPages<DirectoryPage<DirectoryUser>> {
        guard groupsByID[id] != nil else {
            return DirectoryPages(pages: { _ throws(DirectoryError) in
                throw DirectoryError(.notFound, "no group with id \(id) in the directory file", httpStatus: 404)
            })
        }
        return paged(transitiveUsers(of: id))
    }

    package func userChanges(since deltaLink: String?) -> DirectoryPages<DeltaPage> {
        guard deltaLink == nil else {
            return DirectoryPages(pages: { _ throws(DirectoryError) in
                throw DirectoryError(
                    .resyncRequired,
                    "a directory file keeps no change history; run a full sync",
                    directoryCode: "syncStateNotFound"
                )
            })
        }
        let users = export.users
        let size = configuration.pageSize
        return DirectoryPages(pages: { cursor throws(DirectoryError) in
            let start = Int(cursor ?? "0") ?? 0
            let end = min(start + size, users.count)
            let last = end == users.count
            let page = DeltaPage(
                changed: Array(users[start..<end]),
                removed: [],
                deltaLink: last ? Self.deltaLink : nil
            )
            return (page, last ? nil : String(end))
        })
    }

    /// The export's photo of the user, when its etag differs from `knownETag`.
    package func photo(userID: String, knownETag: String?) async throws(DirectoryError) -> PhotoFetch {
        guard let photo = export.photos[userID] else { return .none }
        return photo.etag == knownETag ? .unchanged : .changed(photo)
    }

    // MARK: - Helpers

    /// Users reachable from `groupID` through nested groups, each once.
    /// Cycles (which Entra ID forbids, but a hand-made file may hold) are cut.
    func transitiveUsers(of groupID: String) -> [DirectoryUser] {
        var users: [DirectoryUser] = []
        var seenUsers = Set<String>()
        var seenGroups: Set<String> = [groupID]
        var pending = [groupID]
        while let group = pending.popLast() {
            for member in export.members[group] ?? [] {
                if let user = usersByID[member] {
                    if seenUsers.insert(member).inserted { users.append(user) }
                } else if groupsByID[member] != nil, seenGroups.insert(member).inserted {
                    pending.append(member)
                }
            }
        }
        return users
    }

    private func paged<Item: Sendable>(_ items: [Item]) -> DirectoryPages<DirectoryPage<Item>> {
        let size = configuration.pageSize
        return DirectoryPages(pages: { cursor throws(DirectoryError) in
            let start = Int(cursor ?? "0") ?? 0
            let end = min(start + size, items.count)
            let next = end < items.count ? String(end) : nil
            return (DirectoryPage(items: Array(items[start..<end]), totalCount: start == 0 ? items.count : nil), next)
        })
    }
}
