public import RosterRPC
internal import RosterTLS

/// A reason a connection cannot succeed however often it is retried. ``RosterClient`` reports it
/// at once, as UNAVAILABLE; read it back with ``RosterRPC/RPCError/connectionProblem``.
public enum RosterConnectionProblem: Sendable, Hashable {
    /// The server's certificate did not verify. `reason` is OpenSSL's verify result, e.g.
    /// "self-signed certificate", "unable to get local issuer certificate", "certificate has
    /// expired" or "IP address mismatch"; `serverName` is the name that was checked.
    case certificateRejected(reason: String, serverName: String)
    /// The server does not speak ALPN `roster/1`: it is not a Roster server.
    case notRoster
    /// A plaintext connection reached a server that answers a TLS handshake.
    case serverSpeaksTLS

    private static let kindKey = "roster-client-problem"
    private static let reasonKey = "roster-client-reason"
    private static let serverNameKey = "roster-client-server-name"

    /// The metadata that marks an error as this problem.
    var metadata: [String: String] {
        switch self {
        case .certificateRejected(let reason, let serverName):
            [Self.kindKey: "certificate-rejected", Self.reasonKey: reason, Self.serverNameKey: serverName]
        case .notRoster: [Self.kindKey: "not-roster"]
        case .serverSpeaksTLS: [Self.kindKey: "server-speaks-tls"]
        }
    }

    init?(metadata: [String: String]) {
        switch metadata[Self.kindKey] {
        case "certificate-rejected":
            self = .certificateRejected(
                reason: metadata[Self.reasonKey] ?? "",
                serverName: metadata[Self.serverNameKey] ?? ""
            )
        case "not-roster": self = .notRoster
        case "server-speaks-tls": self = .serverSpeaksTLS
        default: return nil
        }
    }

    /// The TLS failure a failed connection attempt reports. RosterRPC carries a `TLSError`
    /// as UNAVAILABLE, its code in the metadata and its description as the message.
    static func tlsFailure(_ error: RPCError) -> (code: TLSError.Code, message: Substring)? {
        let codes: [TLSError.Code] = [
            .certificateVerificationFailed, .alpnMismatch, .handshakeFailed, .protocolError, .unexpectedEOF,
            .configuration,
        ]
        guard let name = error.metadata[RPCError.tlsErrorCodeKey], let code = codes.first(where: { "\($0)" == name })
        else {
            return nil
        }
        let prefix = TLSError(code, "").description
        return (code, error.message.hasPrefix(prefix) ? error.message.dropFirst(prefix.count) : error.message[...])
    }

    /// OpenSSL's verify result in the message of a certificate verification failure:
    /// "the peer's certificate did not verify: REASON (OPENSSL ERRORS)".
    static func verifyReason(_ message: Substring) -> String {
        var reason = message
        if let range = reason.firstRange(of: "did not verify: ") { reason = reason[range.upperBound...] }
        if reason.hasSuffix(")"), let open = reason.firstRange(of: " (") { reason = reason[..<open.lowerBound] }
        return String(reason)
    }
}

extension RPCError {
    /// Why ``RosterClient`` gave up connecting without retrying, when that is the reason this
    /// error was thrown.
    public var connectionProblem: RosterConnectionProblem? {
        code == .unavailable ? RosterConnectionProblem(metadata: metadata) : nil
    }
}
