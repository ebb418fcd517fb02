import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A Microsoft Graph and Entra ID token endpoint double that serves real HTTP/1.1 on loopback,
/// as strict as Graph where leniency would hide a defect (`docs/directory.md`): client-credentials tokens (JWT-shaped, with a `roles` claim),
/// `/v1.0/users` with `$select` and `$top` paging, the mail-enabled security group filter,
/// `/groups/{id}`, `transitiveMembers/microsoft.graph.user`, and `/users/delta` with delta links
/// and `@removed`.
///
/// Tests change users between syncs (``updateUser(id:_:)``, ``addUser(_:)``, ``removeUser(id:)``),
/// inject faults (``inject(_:pathPrefix:)``, ``expireTokens()``, ``expireDeltaLinks()``) and read
/// what the client sent (``requests``). Start it with ``start(host:port:)`` on port 0 and read the
/// bound port back; stop it with ``stop()``.
package final class GraphDouble: Sendable {
    let configuration: Configuration
    let state: Mutex<State>
    private let server = Mutex<(any Channel)?>(nil)
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// A double serving `directory`.
    package init(directory: GraphDoubleDirectory, configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.state = Mutex(State(directory: directory, configuration: configuration))
    }

    // MARK: - Lifecycle

    /// Starts listening; returns the bound port (pass port 0 for any free one).
    @discardableResult
    package func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        let tls = try configuration.tls.map { files in
            try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(files.certificateChainPath).map {
                        .certificate($0)
                    },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: files.privateKeyPath, format: .pem))
                )
            )
        }
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(GraphDoubleHandler(double: self))
                }
            }
            .bind(host: host, port: port)
            .get()
        server.withLock { $0 = channel }
        let bound = channel.localAddress?.port ?? port
        state.withLock { $0.baseURL = "\(tls == nil ? "http" : "https")://\(host):\(bound)" }
        return bound
    }

    /// `http://127.0.0.1:PORT` (`https://` with ``Configuration/tls``) once started: use it as both
    /// the authority and the Graph base URL.
    package var baseURL: String {
        state.withLock { $0.baseURL }
    }

    /// Stops listening, closes the connections and the event loop.
    package func stop() async throws {
        let channel = server.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try await channel?.close()
        try await group.shutdownGracefully()
    }

    /// Runs `body` with a started double, and stops it afterwards whatever happens.
    package static func withRunning<Result: Sendable>(
        directory: GraphDoubleDirectory,
        configuration: Configuration = Configuration(),
        _ body: (GraphDouble) async throws -> Result
    ) async throws -> Result {
        let double = GraphDouble(directory: directory, configuration: configuration)
        try await double.start()
        do {
            let result = try await body(double)
            try await double.stop()
            return result
        } catch {
            try? await double.stop()
            throw error
        }
    }

    // MARK: - Requests and faults

    /// Every request received so far, oldest first.
    package var requests: [RecordedRequest] {
        state.withLock { $0.recorded }
    }

    /// Serves `faults`, in order, to the next requests whose path starts with `pathPrefix`.
    package func inject(_ faults: [Fault], pathPrefix: String = "/v1.0/") {
        state.withLock { $0.faults.append(contentsOf: faults.map { (.pathPrefix(pathPrefix), $0) }) }
    }

    /// Holds the answers to requests whose path starts with `pathPrefix` until
    /// ``releaseHeldReplies()``: a test keeps a sync at a known step for as long as it needs.
    package func holdReplies(pathPrefix: String) {
        holdReplies { $0.path.hasPrefix(pathPrefix) }
    }

    /// Holds the answers to the requests `matches` picks (asked once per request, in the order
    /// they arrive) until ``releaseHeldReplies()``.
    package func holdReplies(where matches: @escaping @Sendable (RecordedRequest) -> Bool) {
        state.withLock { $0.holds = matches }
    }

    /// Sends every held answer, and holds no more.
    package func releaseHeldReplies() {
        let held = state.withLock { state in
            state.holds = nil
            defer { state.held = [] }
            return state.held
        }
        for send in held { send() }
    }

    /// True when the answer to `request` is to be held: `send` then runs on release.
    func hold(_ request: RecordedRequest, send: @escaping @Sendable () -> Void) -> Bool {
        state.withLock { state in
            guard let holds = state.holds, holds(request) else { return false }
            state.held.append(send)
            return true
        }
    }

    /// Serves `faults`, in order, to the next photo requests (`/users/{id}/photo` and
    /// `/photo/$value`), of `userID` only when given.
    package func injectPhotoFaults(_ faults: [Fault], userID: String? = nil) {
        state.withLock { $0.faults.append(contentsOf: faults.map { (.photo(userID: userID), $0) }) }
    }

    /// The photo requests received so far, oldest first (faults served included).
    package var photoRequests: [PhotoRequest] {
        state.withLock { $0.recorded.compactMap { Self.photoRequest(path: $0.path) } }
    }

    /// The most photo requests that were waiting for their answer at once; see
    /// ``Configuration/photoReplyDelay``.
    package var maxPhotoRequestsInFlight: Int {
        state.withLock { $0.maxPhotoRequestsInFlight }
    }

    /// Gives the user a new photo with a new etag, which it returns.
    @discardableResult
    package func setPhoto(userID: String, contentType: String = "image/jpeg", bytes: [UInt8]) -> String {
        state.withLock { $0.setPhoto(userID: userID, contentType: contentType, bytes: bytes) } ?? ""
    }

    /// Takes the user's photo away: its requests answer 404 `ImageNotFound`.
    package func removePhoto(userID: String) {
        state.withLock { _ = $0.setPhoto(userID: userID, contentType: "", bytes: nil) }
    }

    /// The photo the double serves for the user.
    package func photo(userID: String) -> GraphDoublePhoto? {
        state.withLock { $0.directory.photos[userID] }
    }

    /// Makes every token issued so far invalid: Graph answers 401 `InvalidAuthenticationToken`.
    package func expireTokens() {
        state.withLock { $0.expireTokens() }
    }

    /// Makes every delta link handed out so far unusable: 410 Gone with code `syncStateNotFound`.
    package func expireDeltaLinks() {
        state.withLock { $0.oldestValidDeltaVersion = $0.version + 1 }
    }

    /// Grants or withdraws the tenant's admin consent to the application (withdrawn: the token
    /// endpoint answers AADSTS700016, as for an application never consented to).
    package func setConsented(_ consented: Bool) {
        state.withLock { $0.consented = consented }
    }

    /// Uploads a certificate to the app registration: assertions signed by its key are accepted.
    package func setClientCertificate(_ certificatePEM: String?) {
        state.withLock { $0.clientCertificatePEM = certificatePEM }
    }

    /// Changes the roles of tokens issued from now on.
    package func setRoles(_ roles: [String]) {
        state.withLock { $0.roles = roles }
    }

    /// How many tokens the token endpoint has issued.
    package var tokensIssued: Int {
        state.withLock { $0.tokens.count }
    }

    // MARK: - Mutations (each recorded for delta)

    /// Sets (or, with `nil` values, removes) properties of a user. Returns false for an unknown id.
    @discardableResult
    package func updateUser(id: String, _ properties: [String: JSONValue?]) -> Bool {
        state.withLock { $0.updateUser(id: id, properties) }
    }

    /// Adds a user (it must have a string `id`).
    package func addUser(_ user: JSONObject) {
        state.withLock { $0.addUser(user) }
    }

    /// Deletes a user; delta reports it as `@removed` with reason `deleted`.
    @discardableResult
    package func removeUser(id: String) -> Bool {
        state.withLock { $0.removeUser(id: id) }
    }

    /// Adds a direct member (user or group id) to a group.
    package func addMember(_ memberID: String, toGroup groupID: String) {
        state.withLock { $0.directory.members[groupID, default: []].append(memberID) }
    }

    // MARK: - Serving

    /// What to do with one request, and how long to hold the answer; called by the channel
    /// handler on its event loop. A photo request counts as in flight until
    /// ``photoReplyFinished()``.
    func respond(to request: RecordedRequest) -> (reply: GraphDoubleReply, delay: Duration?) {
        let isPhoto = Self.photoRequest(path: request.path) != nil
        let reply = answer(request)
        guard isPhoto else { return (reply, nil) }
        state.withLock { state in
            state.photoRequestsInFlight += 1
            state.maxPhotoRequestsInFlight = max(state.maxPhotoRequestsInFlight, state.photoRequestsInFlight)
        }
        return (reply, configuration.photoReplyDelay)
    }

    /// A photo request's answer was sent (or its connection dropped).
    func photoReplyFinished() {
        state.withLock { $0.photoRequestsInFlight -= 1 }
    }

    private func answer(_ request: RecordedRequest) -> GraphDoubleReply {
        state.withLock { state in
            state.recorded.append(request)
            if let index = state.faults.firstIndex(where: { $0.target.matches(request.path) }) {
                let fault = state.faults.remove(at: index).fault
                return GraphDoubleReply(fault: fault)
            }
            return state.route(request)
        }
    }
}
