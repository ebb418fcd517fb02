import Foundation
import NIOCore
import NIOHTTP1

extension GraphDouble.State {
    /// Graph's default user properties, served when there is no `$select`.
    static let defaultUserProperties = [
        "businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
        "preferredLanguage", "surname", "userPrincipalName", "id",
    ]
    static let groupRoles: Set<String> = ["GroupMember.Read.All", "Group.Read.All", "Directory.Read.All"]
    static let userRoles: Set<String> = ["User.Read.All", "User.ReadBasic.All", "Directory.Read.All"]

    /// Answers one request (faults were served before this).
    mutating func route(_ request: GraphDouble.RecordedRequest) -> GraphDoubleReply {
        let segments = request.path.split(separator: "/").map(String.init)
        if request.method == "POST", segments.count == 4, segments[1...] == ["oauth2", "v2.0", "token"] {
            return issueToken(tenant: segments[0], form: Self.parseQuery(request.body))
        }
        guard request.method == "GET", segments.first == "v1.0" else {
            return .graphError(.badRequest, "BadRequest", "Unsupported request \(request.method) \(request.path)")
        }
        guard let token = bearer(request), let issued = tokens[token], configuration.now() < issued.expiresAt else {
            return .graphError(
                .unauthorized,
                "InvalidAuthenticationToken",
                "Access token has expired or is not yet valid."
            )
        }
        let resource = Array(segments.dropFirst())
        let needed = resource.first == "groups" ? Self.groupRoles : Self.userRoles
        guard !needed.isDisjoint(with: issued.roles) else {
            return .graphError(
                .forbidden,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation."
            )
        }
        let query = request.query
        if let refusal = refuseUnsupportedQuery(request) { return refusal }
        if resource.first == "users" || resource.last == "microsoft.graph.user",
            let refusal = refuseUnknownUserProperties(query)
        {
            return refusal
        }
        switch resource.count {
        case 1 where resource[0] == "users":
            return list(
                directory.users,
                request,
                select: select(query) ?? Self.defaultUserProperties,
                count: query["$count"] == "true"
            )
        case 2 where resource == ["users", "delta"]:
            return delta(request)
        case 2 where resource == ["users", "$count"]:
            // Graph answers the number as text, and only as an advanced query.
            guard Self.eventual(request) || !configuration.requiresAdvancedQueryHeaders else {
                return .graphError(
                    .badRequest,
                    "Request_UnsupportedQuery",
                    "$count requires the ConsistencyLevel header set to 'eventual'."
                )
            }
            return .respond(
                status: .ok,
                headers: [("Content-Type", "text/plain")],
                body: ByteBuffer(string: String(directory.users.count))
            )
        case 2 where resource[0] == "users":
            // One user, every selected property (null ones too), as Graph answers GET /users/{id}.
            guard let user = directory.users.first(where: { $0["id"]?.string == resource[1] }) else {
                return .graphError(
                    .notFound,
                    "Request_ResourceNotFound",
                    "Resource '\(resource[1])' does not exist or one of its queried reference-property objects are not present."
                )
            }
            var body = ByteBuffer()
            user.write(to: &body, select: select(query) ?? Self.defaultUserProperties)
            return .json(body)
        case 3 where resource[0] == "users" && resource[2] == "photo",
            4 where resource[0] == "users" && resource[2] == "photo" && resource[3] == "$value":
            return photo(userID: resource[1], value: resource.count == 4)
        case 1 where resource[0] == "groups":
            guard let groups = filterGroups(query["$filter"]) else {
                return .graphError(
                    .badRequest,
                    "Request_UnsupportedQuery",
                    "Unsupported or invalid query filter clause."
                )
            }
            return list(groups, request, select: select(query), count: query["$count"] == "true")
        case 2 where resource[0] == "groups":
            guard let group = group(id: resource[1]) else { return notFound(resource[1]) }
            var body = ByteBuffer()
            group.write(to: &body, select: select(query))
            return .json(body)
        case 4 where resource[0] == "groups" && resource[2...] == ["transitiveMembers", "microsoft.graph.user"]:
            if configuration.requiresAdvancedQueryHeaders, !Self.eventual(request) || query["$count"] != "true" {
                return .graphError(
                    .badRequest,
                    "Request_UnsupportedQuery",
                    "The specified type cast requires the ConsistencyLevel header set to 'eventual' and $count=true."
                )
            }
            guard group(id: resource[1]) != nil else { return notFound(resource[1]) }
            let users = transitiveUsers(of: resource[1])
            return list(
                users,
                request,
                select: select(query) ?? Self.defaultUserProperties,
                count: query["$count"] == "true"
            )
        default:
            return .graphError(
                .badRequest,
                "BadRequest",
                "Resource not found for the segment '\(resource.last ?? "")'."
            )
        }
    }

    // MARK: - Photos

    /// `/users/{id}/photo`: the photo's metadata (`@odata.mediaEtag`, `@odata.mediaContentType`);
    /// `/users/{id}/photo/$value`: its bytes. 404 `ImageNotFound` for a user without a photo, as
    /// Graph answers.
    private func photo(userID: String, value: Bool) -> GraphDoubleReply {
        guard userIndex[userID] != nil else { return notFound(userID) }
        guard let photo = directory.photos[userID] else {
            return .graphError(
                .notFound,
                "ImageNotFound",
                "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown."
            )
        }
        if value {
            return .respond(
                status: .ok,
                headers: [("Content-Type", photo.contentType), ("ETag", photo.etag)],
                body: photo.bytes
            )
        }
        let metadata: JSONObject = [
            "@odata.context": .string("\(baseURL)/v1.0/$metadata#users('\(userID)')/photo/$entity"),
            "@odata.mediaContentType": .string(photo.contentType),
            "@odata.mediaEtag": .string(photo.etag),
            "id": "648X648", "height": 648, "width": 648,
        ]
        var body = ByteBuffer()
        metadata.write(to: &body)
        return .json(body)
    }

    // MARK: - Listings

    /// A page of `items` from `$skiptoken` (an offset), `$top` long, with `@odata.nextLink` when more remain.
    private func list(
        _ items: [JSONObject],
        _ request: GraphDouble.RecordedRequest,
        select: [String]?,
        count: Bool = false
    ) -> GraphDoubleReply {
        var query = request.query
        let top = query["$top"].map { Int($0) ?? -1 } ?? configuration.defaultPageSize
        guard top >= 1, top <= configuration.maximumPageSize || !configuration.refusesOversizedTop else {
            return .graphError(
                .badRequest,
                "BadRequest",
                "Invalid page size specified: '\(query["$top"] ?? "")'. Must be between 1 and \(configuration.maximumPageSize) inclusive."
            )
        }
        let size = min(top, configuration.maximumPageSize)
        let start = min(Int(query["$skiptoken"] ?? "0") ?? 0, items.count)
        let end = min(start + size, items.count)
        var body = ByteBuffer()
        body.reserveCapacity((end - start) * 900 + 512)
        body.writeString(#"{"@odata.context":"\#(baseURL)/v1.0/$metadata#collection""#)
        if count && start == 0 { body.writeString(#","@odata.count":\#(items.count)"#) }
        if end < items.count {
            query["$skiptoken"] = String(end)
            body.writeStaticString(#","@odata.nextLink":"#)
            JSONValue.writeString(link(request.path, query), to: &body)
        }
        body.writeStaticString(#","value":["#)
        for index in start..<end {
            if index > start { body.writeInteger(UInt8(ascii: ",")) }
            items[index].write(to: &body, select: select)
        }
        body.writeStaticString("]}")
        return .json(body)
    }

    /// `/users/delta`: everything on a first run, then changes and `@removed` since the delta link's version.
    private func delta(_ request: GraphDouble.RecordedRequest) -> GraphDoubleReply {
        var query = request.query
        let since: Int?
        let snapshot: Int
        let start: Int
        if let skip = query["$skiptoken"] {
            let parts = skip.split(separator: ".").compactMap { Int($0) }
            guard parts.count == 3 else { return .graphError(.badRequest, "BadRequest", "Invalid skip token.") }
            since = parts[0] < 0 ? nil : parts[0]
            snapshot = parts[1]
            start = parts[2]
        } else if query["$deltatoken"] == "latest" {
            // A delta link for the directory as it is now, without listing it.
            query["$deltatoken"] = String(version)
            var body = ByteBuffer()
            body.writeString(#"{"@odata.context":"\#(baseURL)/v1.0/$metadata#users(delta)","@odata.deltaLink":"#)
            JSONValue.writeString(link(request.path, query), to: &body)
            body.writeStaticString(#","value":[]}"#)
            return .json(body)
        } else if let token = query["$deltatoken"] {
            guard let version = Int(token), version >= oldestValidDeltaVersion else {
                return .graphError(.gone, "syncStateNotFound", "The sync state is no longer valid; resynchronize.")
            }
            since = version
            snapshot = self.version
            start = 0
        } else {
            since = nil
            snapshot = version
            start = 0
        }
        var entries: [JSONObject] = []
        var replayed = 0  // entries at the start sent again
        let select = select(query) ?? Self.defaultUserProperties
        if let since {
            // From the change table, not a scan of every user: a delta round costs what changed.
            let changed = changedAt.filter { $0.value > since && $0.value <= snapshot }
                .sorted { $0.value == $1.value ? $0.key < $1.key : $0.value < $1.value }
            entries = changed.compactMap { userIndex[$0.key].map { directory.users[$0] } }
            for (id, removed) in removedAt.sorted(by: { $0.value < $1.value })
            where removed > since && removed <= snapshot {
                entries.append([
                    "id": .string(id), "@removed": .object(["reason": .string(configuration.removalReason)]),
                ])
            }
            // Graph may send an entry again: the user changed last before the link (or, when none
            // changed before it, the first one listed, unless it changed since) comes first, whole.
            if configuration.deltaReplaysEntries {
                let lastChange = changedAt.filter { $0.value <= since }
                    .max { $0.value == $1.value ? $0.key < $1.key : $0.value < $1.value }
                if let id = lastChange?.key, let index = userIndex[id] {
                    entries.insert(directory.users[index], at: 0)
                    replayed = 1
                } else if lastChange == nil, let first = directory.users.first,
                    let id = first["id"]?.string, changedAt[id] == nil
                {
                    entries.insert(first, at: 0)
                    replayed = 1
                }
            }
        } else {
            entries = directory.users
        }
        let end = min(start + deltaPageSize(request), entries.count)
        var body = ByteBuffer()
        body.writeString(#"{"@odata.context":"\#(baseURL)/v1.0/$metadata#users(delta)""#)
        query["$deltatoken"] = nil
        if end < entries.count {
            query["$skiptoken"] = "\(since ?? -1).\(snapshot).\(end)"
            body.writeStaticString(#","@odata.nextLink":"#)
        } else {
            query["$skiptoken"] = nil
            query["$deltatoken"] = String(snapshot)
            body.writeStaticString(#","@odata.deltaLink":"#)
        }
        JSONValue.writeString(link(request.path, query), to: &body)
        body.writeStaticString(#","value":["#)
        let minimal =
            configuration.deltaChangedPropertiesOnly
            || request.headers["prefer"]?.lowercased().contains("return=minimal") == true
        for index in start..<end {
            if index > start { body.writeInteger(UInt8(ascii: ",")) }
            let entry = entries[index]
            var properties = entry["@removed"] == nil ? select : nil
            if minimal, index >= replayed, let since, let selected = properties, let id = entry["id"]?.string,
                (addedAt[id] ?? 0) <= since
            {
                // Only the properties changed since the link (the selected ones), and the id.
                let changed = Set((propertyChangedAt[id] ?? [:]).filter { $0.value > since }.keys)
                properties = selected.filter { $0 == "id" || changed.contains($0) }
            }
            entry.write(to: &body, select: properties, omitNulls: configuration.deltaOmitsNullProperties)
        }
        body.writeStaticString("]}")
        return .json(body)
    }

    /// The groups matching a `$filter` of `prop eq true|false` and `startswith(displayName,'x')`
    /// clauses joined by `and`; `nil` for anything else.
    private func filterGroups(_ filter: String?) -> [JSONObject]? {
        guard let filter else { return directory.groups }
        var tests: [(JSONObject) -> Bool] = []
        for clause in filter.components(separatedBy: " and ") {
            let words = clause.split(separator: " ").map(String.init)
            if words.count == 3, words[1] == "eq", let value = Bool(words[2]) {
                let property = words[0]
                tests.append { $0[property]?.bool == value }
            } else if clause.hasPrefix("startswith(displayName,'"), clause.hasSuffix("')") {
                let prefix = clause.dropFirst("startswith(displayName,'".count).dropLast(2)
                    .replacingOccurrences(of: "''", with: "'").lowercased()
                tests.append { $0["displayName"]?.string?.lowercased().hasPrefix(prefix) == true }
            } else {
                return nil
            }
        }
        return directory.groups.filter { group in tests.allSatisfy { $0(group) } }
    }

    // MARK: - Helpers

    /// 400 for a query Graph refuses: `$search` or `$count` without `ConsistencyLevel: eventual`,
    /// `$top` on a delta query.
    private func refuseUnsupportedQuery(_ request: GraphDouble.RecordedRequest) -> GraphDoubleReply? {
        guard configuration.requiresAdvancedQueryHeaders else { return nil }
        let query = request.query
        if (query["$search"] != nil || query["$count"] != nil) && !Self.eventual(request) {
            return .graphError(
                .badRequest,
                "Request_UnsupportedQuery",
                "\(query["$search"] != nil ? "$search" : "$count") requires the ConsistencyLevel header set to 'eventual'."
            )
        }
        return nil
    }

    /// Entries per delta page: `deltaPageSize`, or what `Prefer: odata.maxpagesize=N` asks (at
    /// most `maximumPageSize`), as Graph honours that preference on delta queries.
    private func deltaPageSize(_ request: GraphDouble.RecordedRequest) -> Int {
        guard let prefer = request.headers["prefer"],
            let range = prefer.range(of: "odata.maxpagesize="),
            let asked = Int(prefer[range.upperBound...].prefix { $0.isNumber }), asked >= 1
        else { return configuration.deltaPageSize }
        return min(asked, configuration.maximumPageSize)
    }

    private static func eventual(_ request: GraphDouble.RecordedRequest) -> Bool {
        request.headers["consistencylevel"]?.lowercased() == "eventual"
    }

    private func notFound(_ id: String) -> GraphDoubleReply {
        .graphError(
            .notFound,
            "Request_ResourceNotFound",
            "Resource '\(id)' does not exist or one of its queried reference-property objects are not present."
        )
    }

    private func bearer(_ request: GraphDouble.RecordedRequest) -> String? {
        guard let value = request.headers["authorization"], value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst("Bearer ".count))
    }

    private func select(_ query: [String: String]) -> [String]? {
        guard let select = query["$select"] else { return nil }
        // Graph matches names without case and answers in its own spelling.
        var properties = select.split(separator: ",").map { userProperty(String($0)) ?? String($0) }
        if !properties.contains("id") { properties.insert("id", at: 0) }
        return properties
    }

    private func link(_ path: String, _ query: [String: String]) -> String {
        let encoded = query.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.percentEncode($0.value))" }
        return baseURL + path + "?" + encoded.joined(separator: "&")
    }

    private static let allowed = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~,$()"
    )

    static func percentEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// `a=1&b=x%20y` (or a form body) as a dictionary, `+` read as a space.
    static func parseQuery(_ text: some StringProtocol) -> [String: String] {
        var result: [String: String] = [:]
        for pair in String(text).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            result[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return result
    }

    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
