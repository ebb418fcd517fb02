import Foundation

extension GraphDouble {
    /// Everything the double knows, guarded by the double's mutex.
    struct State {
        /// A token the token endpoint issued.
        struct IssuedToken {
            var roles: Set<String>
            var expiresAt: Date
        }

        var directory: GraphDoubleDirectory
        let configuration: Configuration
        var roles: [String]
        /// Whether the directory's administrator has consented to the application (its service
        /// principal exists in the tenant).
        var consented: Bool
        /// The certificate uploaded to the app registration, if any.
        var clientCertificatePEM: String?
        var baseURL = ""
        var recorded: [RecordedRequest] = []
        var faults: [(target: FaultTarget, fault: Fault)] = []
        /// Answers to the requests it matches are held (``GraphDouble/holdReplies(where:)``).
        var holds: (@Sendable (RecordedRequest) -> Bool)?
        /// The held answers' senders, oldest first.
        var held: [@Sendable () -> Void] = []
        /// Photo requests received and not yet answered, and the most there ever were.
        var photoRequestsInFlight = 0
        var maxPhotoRequestsInFlight = 0
        /// Bumped by every photo change, for new etags.
        var photoVersion = 0
        var tokens: [String: IssuedToken] = [:]

        /// Bumped by every mutation; delta links carry the version they were issued at.
        var version = 0
        /// User id → version of its last addition or change.
        var changedAt: [String: Int] = [:]
        /// Removed user id → version of its removal.
        var removedAt: [String: Int] = [:]
        /// User id → property name → version of its last change by ``updateUser(id:_:)``.
        var propertyChangedAt: [String: [String: Int]] = [:]
        /// User id → version it was added at (added users are sent whole).
        var addedAt: [String: Int] = [:]
        /// Delta links older than this answer 410.
        var oldestValidDeltaVersion = 0
        /// User id → index in `directory.users`.
        var userIndex: [String: Int] = [:]
        /// Lowercased name → spelling of the directory schema extension properties `$select` may
        /// name: the registered ones and any a user holds.
        var schemaExtensions: [String: String] = [:]

        init(directory: GraphDoubleDirectory, configuration: Configuration) {
            self.directory = directory
            self.configuration = configuration
            self.roles = configuration.roles
            self.consented = configuration.consented
            self.clientCertificatePEM = configuration.clientCertificatePEM
            for name in configuration.schemaExtensions { schemaExtensions[name.lowercased()] = name }
            for user in directory.users { registerSchemaExtensions(of: user) }
            reindex()
        }

        mutating func reindex() {
            userIndex = [:]
            for (index, user) in directory.users.enumerated() {
                if let id = user["id"]?.string { userIndex[id] = index }
            }
        }

        // MARK: - Mutations

        mutating func updateUser(id: String, _ properties: [String: JSONValue?]) -> Bool {
            guard let index = userIndex[id] else { return false }
            version += 1
            for (key, value) in properties {
                directory.users[index][key] = value
                propertyChangedAt[id, default: [:]][key] = version
                if GraphDoubleUserSchema.isSchemaExtension(key) { schemaExtensions[key.lowercased()] = key }
            }
            changedAt[id] = version
            return true
        }

        mutating func addUser(_ user: JSONObject) {
            guard let id = user["id"]?.string else { return }
            registerSchemaExtensions(of: user)
            if let index = userIndex[id] {
                directory.users[index] = user
            } else {
                userIndex[id] = directory.users.count
                directory.users.append(user)
            }
            version += 1
            changedAt[id] = version
            addedAt[id] = version
            removedAt[id] = nil
        }

        /// Sets (nil: removes) a user's photo; a new photo gets a new etag. Returns that etag.
        mutating func setPhoto(userID: String, contentType: String, bytes: [UInt8]?) -> String? {
            guard let bytes else {
                directory.photos[userID] = nil
                return nil
            }
            photoVersion += 1
            let etag = "\"double-photo-\(photoVersion)\""
            directory.photos[userID] = GraphDoublePhoto(etag: etag, contentType: contentType, bytes: bytes)
            return etag
        }

        mutating func removeUser(id: String) -> Bool {
            guard let index = userIndex[id] else { return false }
            directory.users.remove(at: index)
            directory.photos[id] = nil
            for (memberGroup, ids) in directory.members where ids.contains(id) {
                directory.members[memberGroup] = ids.filter { $0 != id }
            }
            reindex()
            version += 1
            removedAt[id] = version
            changedAt[id] = nil
            return true
        }

        mutating func expireTokens() {
            for key in tokens.keys { tokens[key]?.expiresAt = .distantPast }
        }

        // MARK: - Reads

        /// Users reachable from `groupID` through nested groups, each once.
        func transitiveUsers(of groupID: String) -> [JSONObject] {
            var result: [JSONObject] = []
            var seenUsers = Set<String>()
            var seenGroups: Set<String> = [groupID]
            var queue = [groupID]
            var head = 0
            while head < queue.count {
                let group = queue[head]
                head += 1
                for member in directory.members[group] ?? [] {
                    if let index = userIndex[member] {
                        if seenUsers.insert(member).inserted { result.append(directory.users[index]) }
                    } else if seenGroups.insert(member).inserted {
                        queue.append(member)
                    }
                }
            }
            return result
        }

        func group(id: String) -> JSONObject? {
            directory.groups.first { $0["id"]?.string == id }
        }
    }
}

extension GraphDouble {
    /// Which requests an injected fault is served to.
    enum FaultTarget: Sendable {
        /// Paths that start with this.
        case pathPrefix(String)
        /// Photo requests (metadata and `$value`), of one user when given.
        case photo(userID: String?)

        func matches(_ path: String) -> Bool {
            switch self {
            case .pathPrefix(let prefix): path.hasPrefix(prefix)
            case .photo(let userID):
                GraphDouble.photoRequest(path: path).map { userID == nil || $0.userID == userID } ?? false
            }
        }
    }

    /// The photo request a path is (`/v1.0/users/{id}/photo`, `…/photo/$value`), if it is one.
    package static func photoRequest(path: String) -> PhotoRequest? {
        let segments = path.split(separator: "/")
        guard segments.count >= 4, segments[0] == "v1.0", segments[1] == "users", segments[3] == "photo" else {
            return nil
        }
        switch segments.count {
        case 4: return PhotoRequest(userID: String(segments[2]), value: false)
        case 5 where segments[4] == "$value": return PhotoRequest(userID: String(segments[2]), value: true)
        default: return nil
        }
    }
}
