internal import NIOCore
public import RosterRPC
internal import RosterTLS
public import RosterWire
internal import Synchronization

/// A client of a Roster server: one TLS connection multiplexing every call, reconnected with
/// exponential backoff and jitter when it is lost. A failure no retry can fix (a certificate that
/// does not verify, a server that speaks TLS to a plaintext client) is reported at once, as a
/// ``RosterConnectionProblem``.
///
///     let configuration = RosterClientConfiguration(host: "roster.internal", apiKey: key)
///     try await withRosterClient(configuration) { client in
///         let contact = try await client.getContact(mail: "ada@example.com")
///         print(contact.displayName)
///     }
///
/// Make one client per process and share it: it is `Sendable`, and its calls run side by side
/// on its one connection.
public final class RosterClient: Sendable {
    private enum Connection {
        case idle
        case connecting(Task<RPCClientConnection, any Error>)
        case connected(RPCClientConnection)
        case closed
    }

    public let configuration: RosterClientConfiguration
    private let tlsContext: TLSContext?
    private let state = Mutex(Connection.idle)

    /// Creates a client; nothing connects until the first call.
    public init(configuration: RosterClientConfiguration) throws {
        self.configuration = configuration
        switch configuration.security {
        case .plaintext:
            tlsContext = nil
        case .tls, .tlsTrusting:
            var caFile: String?
            if case .tlsTrusting(let file) = configuration.security { caFile = file }
            do {
                tlsContext = try TLSContext(
                    client: TLSConfiguration.Client(
                        caFilePath: caFile,
                        certificateChainPath: configuration.clientCertificatePaths?.chain,
                        privateKeyPath: configuration.clientCertificatePaths?.key
                    )
                )
            } catch let error as TLSError {
                throw RPCError(.invalidArgument, error.description)
            }
        }
    }

    // MARK: - Calls

    /// Calls a declared unary method (`RosterMethods`) with the client's API key.
    public func call<Request, Response>(
        _ method: UnaryMethod<Request, Response>,
        _ request: Request,
        timeout: Duration? = nil
    ) async throws -> Response {
        try await unary(method.path, request: request, response: Response.self, timeout: timeout)
    }

    /// Starts a declared server-streaming method (`RosterMethods`) with the client's API key.
    public func call<Request, Response>(
        _ method: ServerStreamingMethod<Request, Response>,
        _ request: Request,
        timeout: Duration? = nil
    ) async throws -> RPCResponseStream<Response> {
        try await serverStreaming(method.path, request: request, response: Response.self, timeout: timeout)
    }

    /// Makes a unary call to `path` with the client's API key. `timeout` is the call's deadline
    /// (nil: the configuration's ``RosterClientConfiguration/defaultTimeout``); past it the call
    /// fails with DEADLINE_EXCEEDED.
    public func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ path: String,
        request: Request,
        response: Response.Type = Response.self,
        timeout: Duration? = nil
    ) async throws -> Response {
        // A call the server never processed (GOAWAY, a connection lost before it was sent) is
        // safe to send again on a new connection.
        var attempt = 1
        while true {
            let connection = try await connection()
            do {
                return try await connection.unary(
                    path,
                    request: request,
                    response: response,
                    metadata: metadata,
                    timeout: timeout ?? configuration.defaultTimeout
                )
            } catch let error as RPCError where error.wasNotProcessed && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// Starts a server-streaming call to `path` with the client's API key. `timeout` (nil: none)
    /// bounds the whole stream.
    public func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ path: String,
        request: Request,
        response: Response.Type = Response.self,
        timeout: Duration? = nil
    ) async throws -> RPCResponseStream<Response> {
        let connection = try await connection()
        return connection.serverStreaming(
            path,
            request: request,
            response: response,
            metadata: metadata,
            timeout: timeout
        )
    }

    private var metadata: [String: String] {
        configuration.apiKey.map { ["authorization": "Bearer \($0)"] } ?? [:]
    }

    // MARK: - The connection

    /// The current connection, connecting (with backoff) when there is none or it was lost.
    public func connection() async throws -> RPCClientConnection {
        while true {
            let step: Connection = state.withLock { state in
                switch state {
                case .connected(let connection) where !connection.isUsable:
                    state = .idle
                    return .idle
                default:
                    return state
                }
            }
            switch step {
            case .connected(let connection):
                return connection
            case .connecting(let task):
                return try await task.value
            case .closed:
                throw RPCError(.unavailable, "the client is closed")
            case .idle:
                let task = Task { try await self.connectWithBackoff() }
                let won = state.withLock { state -> Bool in
                    guard case .idle = state else { return false }
                    state = .connecting(task)
                    return true
                }
                guard won else {
                    task.cancel()
                    continue
                }
                do {
                    let connection = try await task.value
                    state.withLock { if case .connecting = $0 { $0 = .connected(connection) } }
                    return connection
                } catch {
                    state.withLock { if case .connecting = $0 { $0 = .idle } }
                    throw error
                }
            }
        }
    }

    /// Connects, retrying with backoff while a retry can help: not after a certificate that did not
    /// verify, a server that is not Roster, or (in plaintext) a server that speaks TLS.
    private func connectWithBackoff() async throws -> RPCClientConnection {
        let backoff = configuration.backoff
        let serverName = configuration.serverName ?? configuration.host
        var lastError: any Error = RPCError(.unavailable, "no connection attempt was made")
        for attempt in 1...max(backoff.maxAttempts, 1) {
            if attempt > 1 {
                try await Task.sleep(for: backoff.delay(beforeRetry: attempt - 1))
            }
            do {
                return try await RPCClientConnection.connect(
                    host: configuration.host,
                    port: configuration.port,
                    tls: tlsContext.map { ($0, serverName) },
                    configuration: configuration.connection
                )
            } catch let error as RPCError {
                if let problem = Self.problem(error, serverName: serverName) {
                    throw RPCError(.unavailable, message(for: problem, error), metadata: problem.metadata)
                }
                if attempt == 1, tlsContext == nil, !isTCPFailure(error), await serverSpeaksTLS() {
                    let problem = RosterConnectionProblem.serverSpeaksTLS
                    throw RPCError(.unavailable, message(for: problem, error), metadata: problem.metadata)
                }
                guard error.code == .unavailable else { throw error }
                lastError = error
            }
        }
        throw RPCError(.unavailable, "\(lastError) (after \(backoff.maxAttempts) attempts)")
    }

    /// The problem a failed attempt shows that no retry can fix, if any.
    private static func problem(_ error: RPCError, serverName: String) -> RosterConnectionProblem? {
        guard error.code == .unavailable, let failure = RosterConnectionProblem.tlsFailure(error) else { return nil }
        switch failure.code {
        case .certificateVerificationFailed:
            return .certificateRejected(
                reason: RosterConnectionProblem.verifyReason(failure.message),
                serverName: serverName
            )
        case .alpnMismatch:
            return .notRoster
        default:
            return nil
        }
    }

    private func message(for problem: RosterConnectionProblem, _ error: RPCError) -> String {
        let address = "\(configuration.host):\(configuration.port)"
        switch problem {
        case .certificateRejected(let reason, _):
            return "cannot trust the server at \(address) because its certificate did not verify: \(reason)"
        case .notRoster:
            return "the server at \(address) is not a Roster server (\(error.message))"
        case .serverSpeaksTLS:
            return "the server at \(address) probably speaks TLS: connect with TLS, not plaintext"
        }
    }

    /// Whether `error` says the TCP connection itself failed (refused, unreachable, timed out),
    /// so that nothing answered at all.
    private func isTCPFailure(_ error: RPCError) -> Bool {
        error.message.hasPrefix("cannot connect to \(configuration.host):\(configuration.port): ")
            && error.message.hasSuffix("check the address and that the server is running")
    }

    /// Whether the server answers a TLS handshake: asked once after a plaintext attempt failed.
    ///
    /// A TLS server gets as far as presenting its certificate (which may not verify against the
    /// system roots), refusing ALPN, or sending a TLS alert; a plaintext Roster server answers
    /// the ClientHello with something that is not TLS, or closes.
    private func serverSpeaksTLS() async -> Bool {
        guard let context = try? TLSContext(client: TLSConfiguration.Client()) else { return false }
        var probe = configuration.connection
        probe.connectTimeout = .seconds(2)
        do {
            let connection = try await RPCClientConnection.connect(
                host: configuration.host,
                port: configuration.port,
                tls: (context, configuration.serverName ?? configuration.host),
                configuration: probe
            )
            await connection.close()
            return true
        } catch let error as RPCError {
            guard let failure = RosterConnectionProblem.tlsFailure(error) else { return false }
            switch failure.code {
            case .certificateVerificationFailed, .alpnMismatch: return true
            default: return failure.message.contains(" alert ")
            }
        } catch {
            return false
        }
    }

    /// Closes the connection once its calls have finished; later calls fail.
    public func close() async {
        let previous = state.withLock { state -> Connection in
            defer { state = .closed }
            return state
        }
        switch previous {
        case .connected(let connection): await connection.close()
        case .connecting(let task): task.cancel()
        case .idle, .closed: break
        }
    }
}

/// Runs `body` with a client and always closes it afterwards, whether `body` returns or throws.
@discardableResult
public func withRosterClient<Result>(
    _ configuration: RosterClientConfiguration,
    _ body: (RosterClient) async throws -> Result
) async throws -> Result {
    let client = try RosterClient(configuration: configuration)
    do {
        let result = try await body(client)
        await client.close()
        return result
    } catch {
        await client.close()
        throw error
    }
}
