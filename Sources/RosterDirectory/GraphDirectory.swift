package import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Microsoft Graph as a ``DirectorySource``: one tenant's directory read with application
/// permissions (OAuth 2 client credentials), as Microsoft documents it (`docs/directory.md`).
///
/// Every listing asks for pages of ``Configuration/pageSize`` (999) with `$select` of the contact
/// fields and follows `@odata.nextLink` verbatim; each page is collected (up to
/// ``Configuration/maximumResponseBytes``) and decoded on its own, so memory holds one page. Every
/// request carries `x-ms-throttle-priority: low` (a sync is background work) and goes through the
/// retry rules of ``Configuration``. Errors are decided on Graph's error `code`, never its message.
package struct GraphDirectory: DirectorySource {
    /// The application permissions Roster needs: all of these…
    package static let requiredRoles: Set<String> = ["User.Read.All"]
    /// …and at least one of these, to read group memberships.
    package static let groupRoles: Set<String> = ["GroupMember.Read.All", "Group.Read.All", "Directory.Read.All"]

    private let configuration: Configuration
    private let transport: GraphTransport
    private let tokens: GraphTokenProvider

    /// The process-wide HTTP client for Graph: AsyncHTTPClient's defaults, except that a failed
    /// connection fails its request at once instead of being retried until the request times out
    /// (GraphTransport retries with its own backoff; an untrusted certificate took 6 × 60 s to be
    /// reported). Never shut down, like `HTTPClient.shared`.
    package static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A directory client. `httpClient` defaults to ``sharedHTTPClient``; the caller keeps
    /// ownership of one it passes.
    package init(configuration: Configuration, httpClient: HTTPClient = GraphDirectory.sharedHTTPClient) {
        self.configuration = configuration
        self.transport = GraphTransport(client: httpClient, configuration: configuration)
        self.tokens = GraphTokenProvider(transport: transport)
    }

    // MARK: - DirectorySource

    @discardableResult
    package func verifyPermissions() async throws(DirectoryError) -> [String] {
        let token = try await tokens.token(renew: true)
        let missing = Self.requiredRoles.subtracting(token.roles).sorted()
        let hasGroupRole = !Self.groupRoles.isDisjoint(with: token.roles)
        if !missing.isEmpty || !hasGroupRole {
            let needed = missing + (hasGroupRole ? [] : ["one of " + Self.groupRoles.sorted().joined(separator: ", ")])
            let granted = token.roles.isEmpty ? "none" : token.roles.sorted().joined(separator: ", ")
            throw DirectoryError(
                .consentMissing,
                "the application lacks Microsoft Graph application permissions: \(needed.joined(separator: "; ")) "
                    + "(granted: \(granted)); add them under App registrations → API permissions and grant "
                    + "admin consent, then connect again"
            )
        }
        _ = try await userPage(url: url("/v1.0/users", ["$select": "id", "$top": "1"]))
        return token.roles.sorted()
    }

    package func users() -> DirectoryPages<DirectoryPage<DirectoryUser>> {
        userListing(first: url("/v1.0/users", userQuery))
    }

    /// Graph's filter also matches Microsoft 365 groups that are security-enabled; those are
    /// dropped here, so every group listed can scope a sync.
    package func mailEnabledSecurityGroups() -> DirectoryPages<DirectoryPage<DirectoryGroup>> {
        listing(
            DirectoryGroup.self,
            keep: { $0.kind == .mailEnabledSecurity },
            first: url(
                "/v1.0/groups",
                [
                    "$filter": "mailEnabled eq true and securityEnabled eq true",
                    "$select": "id,displayName,mail,mailEnabled,securityEnabled,groupTypes",
                    "$top": "\(configuration.pageSize)",
                ]
            )
        )
    }

    package func group(id: String) async throws(DirectoryError) -> DirectoryGroup {
        let body = try await get(
            url(
                "/v1.0/groups/\(GraphTokenProvider.percentEncode(id))",
                [
                    "$select": "id,displayName,mail,mailEnabled,securityEnabled,groupTypes"
                ]
            ),
            what: "GET /v1.0/groups/{id}"
        )
        do {
            return try JSONDecoder().decode(DirectoryGroup.self, from: body)
        } catch {
            throw malformed("GET /v1.0/groups/{id}", error)
        }
    }

    package func transitiveUserMembers(ofGroup id: String) -> DirectoryPages<DirectoryPage<DirectoryUser>> {
        var query = userQuery
        query["$count"] = "true"
        let first = url(
            "/v1.0/groups/\(GraphTokenProvider.percentEncode(id))/transitiveMembers/microsoft.graph.user",
            query
        )
        return userListing(first: first, headers: .eventualConsistency)
    }

    package func userChanges(since deltaLink: String?) -> DirectoryPages<DeltaPage> {
        let first = deltaLink ?? url("/v1.0/users/delta", ["$select": select])
        return DirectoryPages { cursor throws(DirectoryError) in
            let (links, decode) = try await downloadUserPage(url: cursor ?? first, headers: .maxPageSize)
            if links.nextLink == nil && links.deltaLink == nil {
                throw DirectoryError(.permanent, "a delta page carried neither @odata.nextLink nor @odata.deltaLink")
            }
            return (
                { () throws(DirectoryError) in
                    let page = try decode()
                    return DeltaPage(
                        changed: page.users,
                        removed: page.removed,
                        deltaLink: page.deltaLink,
                        partial: page.partial
                    )
                }, links.nextLink
            )
        }
    }

    /// `GET /users/delta?$select=…&$deltatoken=latest`: Graph answers at once with a delta link for
    /// the directory as it is now. Nil when the answer is not that (a page to list instead), so the
    /// caller falls back to paging the delta query from the start.
    package func latestDeltaLink() async throws(DirectoryError) -> String? {
        let url = url(
            "/v1.0/users/delta",
            ["$select": select, "$deltatoken": "latest"]
        )
        let page = try await downloadUserPage(url: url, headers: .maxPageSize)
        guard page.links.nextLink == nil, let link = page.links.deltaLink else { return nil }
        return link
    }

    /// `GET /users/$count` with `ConsistencyLevel: eventual`: the number of users, for percent and
    /// ETA while a full listing runs. The index behind it lags a little; the count is an estimate.
    package func userCount() async throws(DirectoryError) -> Int? {
        let what = "GET /v1.0/users/$count"
        let body = try await get(
            url("/v1.0/users/$count", [:]),
            what: what,
            headers: [.eventualConsistency, .plainText]
        )
        guard let count = Int(String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)), count >= 0 else {
            throw DirectoryError(.permanent, "\(what) answered something other than a number")
        }
        return count
    }

    /// `GET /users/{id}?$select=…` for each id, four at a time; a 404 leaves the user out.
    package func users(ids: [String]) async throws(DirectoryError) -> [DirectoryUser] {
        let result = await withTaskGroup(of: Result<DirectoryUser?, DirectoryError>.self) { group in
            var results: [Result<DirectoryUser?, DirectoryError>] = []
            var pending = ids[...]
            func next() -> Bool {
                guard let id = pending.popFirst() else { return false }
                group.addTask { [self] in
                    do throws(DirectoryError) {
                        let url = self.url("/v1.0/users/\(GraphTokenProvider.percentEncode(id))", ["$select": select])
                        let body = try await self.get(url, what: "GET /v1.0/users/{id}")
                        do {
                            return .success(try GraphUserPage.readUser(body, attributes: self.configuration.attributes))
                        } catch {
                            return .failure(self.malformed("GET /v1.0/users/{id}", error))
                        }
                    } catch {
                        return error.code == .notFound ? .success(nil) : .failure(error)
                    }
                }
                return true
            }
            for _ in 0..<4 { _ = next() }
            for await result in group {
                results.append(result)
                _ = next()
            }
            return results
        }
        var users: [DirectoryUser] = []
        for item in result {
            switch item {
            case .success(let user): if let user { users.append(user) }
            case .failure(let error): throw error
            }
        }
        return users
    }

    /// `GET /users/{id}/photo` for the photo's etag; when it differs from `knownETag`,
    /// `GET /users/{id}/photo/$value` for the image, collected up to
    /// ``Configuration/maximumPhotoBytes`` (a larger one fails with
    /// ``DirectoryError/Code/limitExceeded``, nothing buffered past the bound). A 404 on either
    /// (no photo, or no such user) is ``PhotoFetch/none``. Throttling and retries are the
    /// transport's, as for every request.
    package func photo(userID: String, knownETag: String?) async throws(DirectoryError) -> PhotoFetch {
        let path = "/v1.0/users/\(GraphTokenProvider.percentEncode(userID))/photo"
        let what = "GET /v1.0/users/{id}/photo"
        let metadata: GraphTransport.Response
        do {
            metadata = try await getResponse(
                url(path, [:]),
                what: what,
                limit: .init(
                    bytes: GraphPhotoReply.maximumMetadataBytes,
                    code: .permanent,
                    advice: "a photo's metadata is a small JSON object; check the Graph URL"
                )
            )
        } catch  where error.code == .notFound {
            return .none
        }
        let etag = try GraphPhotoReply.etag(metadata.body, what: what)
        if etag == knownETag { return .unchanged }
        let valueWhat = "GET /v1.0/users/{id}/photo/$value"
        let maximum = configuration.maximumPhotoBytes
        let value: GraphTransport.Response
        do {
            value = try await getResponse(
                url(path + "/$value", [:]),
                what: valueWhat,
                headers: .image,
                limit: .init(
                    bytes: maximum,
                    code: .limitExceeded,
                    advice: "the photo is larger than this server keeps (maximumPhotoBytes) and is not synced; "
                        + "upload a smaller photo for the user"
                )
            )
        } catch  where error.code == .notFound {
            return .none  // removed between the two requests
        }
        let contentType = try GraphPhotoReply.contentType(value.headers, what: valueWhat)
        guard value.body.readableBytes > 0 else {
            throw DirectoryError(.permanent, "\(valueWhat) answered an empty body; the photo is not synced")
        }
        return .changed(
            DirectoryPhoto(etag: etag, contentType: contentType, bytes: Array(value.body.readableBytesView))
        )
    }

    // MARK: - Paging

    /// `$select` for users: the contact fields and the tenant's additional user properties.
    private var select: String { DirectoryUser.graphSelect(attributes: configuration.attributes) }

    private var userQuery: [String: String] {
        ["$select": select, "$top": "\(configuration.pageSize)"]
    }

    private func listing<Item: Decodable & Sendable>(
        _ type: Item.Type,
        keep: @escaping @Sendable (Item) -> Bool = { _ in true },
        first: String,
        headers: RequestHeaders = []
    ) -> DirectoryPages<DirectoryPage<Item>> {
        DirectoryPages(pages: { cursor throws(DirectoryError) in
            let collection = try await page(type, url: cursor ?? first, headers: headers)
            return (
                DirectoryPage(items: collection.value.filter(keep), totalCount: collection.count), collection.nextLink
            )
        })
    }

    private func userListing(first: String, headers: RequestHeaders = []) -> DirectoryPages<
        DirectoryPage<DirectoryUser>
    > {
        DirectoryPages { cursor throws(DirectoryError) in
            let (links, decode) = try await downloadUserPage(url: cursor ?? first, headers: headers)
            return (
                { () throws(DirectoryError) in
                    let page = try decode()
                    return DirectoryPage(items: page.users, totalCount: page.count)
                }, links.nextLink
            )
        }
    }

    /// Downloads a page of users and reads only its links, so the next download can start while
    /// this page is decoded (by the returned closure).
    private func downloadUserPage(url: String, headers: RequestHeaders = []) async throws(DirectoryError)
        -> (links: GraphUserPage.Links, decode: @Sendable () throws(DirectoryError) -> GraphUserPage)
    {
        let what = "GET \(Self.path(of: url))"
        let body = try await get(url, what: what, headers: headers)
        let links: GraphUserPage.Links
        do {
            links = try GraphUserPage.links(body)
        } catch {
            throw malformed(what, error)
        }
        let attributes = configuration.attributes
        return (
            links,
            { () throws(DirectoryError) in
                do {
                    return try GraphUserPage.read(body, attributes: attributes)
                } catch {
                    throw DirectoryError(.permanent, "\(what) answered JSON this client cannot read: \(error)")
                }
            }
        )
    }

    private func userPage(url: String) async throws(DirectoryError) -> GraphUserPage {
        try await downloadUserPage(url: url).decode()
    }

    private func page<Item: Decodable>(
        _ type: Item.Type,
        url: String,
        headers: RequestHeaders = []
    ) async throws(DirectoryError) -> GraphCollection<Item> {
        let what = "GET \(Self.path(of: url))"
        let body = try await get(url, what: what, headers: headers)
        do {
            return try JSONDecoder().decode(GraphCollection<Item>.self, from: body)
        } catch {
            throw malformed(what, error)
        }
    }

    // MARK: - Requests

    /// Headers a request needs beyond the bearer token, `Accept` and the low throttle priority.
    struct RequestHeaders: OptionSet {
        let rawValue: Int
        /// `ConsistencyLevel: eventual`, which Graph's advanced queries (`$count`, `$search`, casts) need.
        static let eventualConsistency = RequestHeaders(rawValue: 1)
        /// `Prefer: odata.maxpagesize=<pageSize>`: delta queries take no `$top`, but honour this.
        static let maxPageSize = RequestHeaders(rawValue: 2)
        /// `Accept: text/plain`, for `$count`, which answers a bare number.
        static let plainText = RequestHeaders(rawValue: 4)
        /// `Accept: image/*`, for a photo's `$value`.
        static let image = RequestHeaders(rawValue: 8)
    }

    /// GETs `url` with a bearer token; renews the token once if Graph calls it invalid; maps every
    /// status but 200 to a ``DirectoryError`` by Graph's error code. Returns the body.
    private func get(_ url: String, what: String, headers: RequestHeaders = []) async throws(DirectoryError)
        -> ByteBuffer
    {
        try await getResponse(url, what: what, headers: headers).body
    }

    /// ``get(_:what:headers:)``, returning the whole response (status 200), its body collected up
    /// to `limit` (default: the transport's).
    private func getResponse(
        _ url: String,
        what: String,
        headers: RequestHeaders = [],
        limit: GraphTransport.BodyLimit? = nil
    ) async throws(DirectoryError) -> GraphTransport.Response {
        guard url.hasPrefix(configuration.graphBaseURL + "/") else {
            throw DirectoryError(
                .permanent,
                "Graph returned a link outside \(configuration.graphBaseURL); the token is not sent elsewhere"
            )
        }
        var renewed = false
        while true {
            let tokens = self.tokens
            let pageSize = configuration.pageSize
            let response = try await transport.send(what: what, limit: limit) { () throws(DirectoryError) in
                let token = try await tokens.token()
                var request = HTTPClientRequest(url: url)
                request.headers.add(name: "Authorization", value: "Bearer \(token.value)")
                request.headers.add(
                    name: "Accept",
                    value: headers.contains(.plainText)
                        ? "text/plain" : headers.contains(.image) ? "image/*" : "application/json"
                )
                request.headers.add(name: "x-ms-throttle-priority", value: "low")
                if headers.contains(.eventualConsistency) {
                    request.headers.add(name: "ConsistencyLevel", value: "eventual")
                }
                if headers.contains(.maxPageSize) {
                    request.headers.add(name: "Prefer", value: "odata.maxpagesize=\(pageSize)")
                }
                return request
            }
            if response.status == 200 { return response }
            let code = GraphErrorBody.code(response)
            if response.status == 401, code == "InvalidAuthenticationToken", !renewed {
                renewed = true
                _ = try await tokens.token(renew: true)
                continue
            }
            throw Self.error(for: response, code: code, what: what)
        }
    }

    private func malformed(_ what: String, _ error: any Error) -> DirectoryError {
        DirectoryError(.permanent, "\(what) answered JSON this client cannot read: \(error)")
    }

    // MARK: - URLs

    private func url(_ path: String, _ query: [String: String]) -> String {
        let encoded = query.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.queryEncode($0.value))" }
        return configuration.graphBaseURL + path + (encoded.isEmpty ? "" : "?" + encoded.joined(separator: "&"))
    }

    private static let queryAllowed = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~,$()"
    )

    private static func queryEncode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? value
    }

    /// The path of a URL without host and query, for messages ("/v1.0/users").
    private static func path(of url: String) -> String {
        let afterScheme = url.range(of: "://").map { url[$0.upperBound...] } ?? url[...]
        let path = afterScheme.drop(while: { $0 != "/" })
        return String(path.prefix(while: { $0 != "?" }))
    }
}
