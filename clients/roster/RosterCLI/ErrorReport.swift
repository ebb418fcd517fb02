public import ArgumentParser
internal import RosterClient
public import RosterRPC

/// How a failure is shown to the operator: the message, the next step, and the exit code.
public struct ErrorReport: Sendable {
    /// The gRPC status name (e.g. "UNAUTHENTICATED"), or "CLI" for a failure of the CLI itself.
    public var code: String
    public var message: String
    public var hint: String
    public var exitCode: ExitCode
    /// The call's request id, as the server returned it: the key to the call's lines in the
    /// server's log. Nil for a failure the server did not answer.
    public var requestID: String?

    /// The report for a server's status, or for a connection ``RosterClient`` gave up on.
    public init(_ error: RPCError, address: String) {
        code = error.code.description
        message = error.message
        hint = Self.hint(for: error.code, address: address)
        exitCode = RosterExitCode.forStatus(error.code)
        requestID = error.requestID
        switch error.connectionProblem {
        case .certificateRejected(let reason, let serverName)?:
            hint = Self.certificateHint(reason: reason, serverName: serverName)
        case .notRoster?:
            hint = "is \(address) rosterd's address? check --address / ROSTER_ADDRESS"
        case .serverSpeaksTLS?:
            message = "the server at \(address) probably speaks TLS; drop --plaintext"
            hint = "if its certificate is self-signed, trust it with --ca-file / ROSTER_CA_FILE"
        case nil:
            break
        }
    }

    /// What to do about a server certificate that did not verify, by OpenSSL's verify result.
    static func certificateHint(reason: String, serverName: String) -> String {
        if reason.contains("mismatch") {
            return
                "the certificate is not issued for \(serverName): use a name it lists in --address / ROSTER_ADDRESS, "
                + "or give rosterd a certificate for \(serverName)"
        }
        if reason.contains("expired") || reason.contains("not yet valid") {
            return "check this computer's clock; if it is right, the server's certificate must be renewed"
        }
        return "trust the server's certificate: pass the file rosterd names at start (its tls-cert.pem, or the CA "
            + "that issued its certificate) with --ca-file / ROSTER_CA_FILE"
    }

    /// The report for a failure the CLI found itself.
    public init(_ failure: CLIFailure) {
        code = "CLI"
        message = failure.message
        hint = failure.hint
        exitCode = failure.exitCode
    }

    /// The next step for a status code; empty where the server's message already says it.
    public static func hint(for code: RPCError.Code, address: String) -> String {
        switch code {
        case .unauthenticated: "check the API key: ROSTER_KEY / --key / --key-file"
        case .unavailable:
            "is rosterd running at \(address)? check --address / ROSTER_ADDRESS (and --ca-file / ROSTER_CA_FILE for TLS)"
        case .permissionDenied:
            "use a key with the role the message names (ROSTER_KEY / --key / --key-file); `rosterd keys create` mints one"
        case .deadlineExceeded: "the server did not answer in time; try again"
        case .unimplemented: "the server does not know this call; is rosterd as new as this roster?"
        case .internal, .unknown, .dataLoss: "see the rosterd log for details"
        default: ""
        }
    }

    /// The lines written to standard error: `error: …` and, when there are, `hint: …` and
    /// `request id: …`.
    public var textLines: [String] {
        var lines = ["error: \(message)"]
        if !hint.isEmpty { lines.append("hint: \(hint)") }
        if let requestID { lines.append("request id: \(requestID)") }
        return lines
    }

    /// The error as one JSON object, for `--json` (`requestId` only when the server returned one).
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("code", .string(code)),
            ("message", .string(message)),
            ("hint", .string(hint)),
            ("exitCode", .int(Int64(exitCode.rawValue))),
        ]
        if let requestID { fields.append(("requestId", .string(requestID))) }
        return .object([("error", .object(fields))])
    }
}
