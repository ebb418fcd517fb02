public import ArgumentParser
public import RosterRPC

/// How a failure is shown to the operator: the message, the next step, and the exit code.
public struct ErrorReport: Sendable {
    /// The gRPC status name (e.g. "UNAUTHENTICATED"), or "CLI" for a failure of the CLI itself.
    public var code: String
    public var message: String
    public var hint: String
    public var exitCode: ExitCode

    /// The report for a server's status.
    public init(_ error: RPCError, address: String) {
        code = error.code.description
        message = error.message
        hint = Self.hint(for: error.code, address: address)
        exitCode = RosterExitCode.forStatus(error.code)
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
        case .unavailable: "is rosterd running at \(address)? check --address / ROSTER_ADDRESS (and --ca-file / ROSTER_CA_FILE for TLS)"
        case .permissionDenied: "this needs an admin key"
        case .deadlineExceeded: "the server did not answer in time; try again"
        case .unimplemented: "the server does not know this call; is rosterd as new as this roster?"
        case .internal, .unknown, .dataLoss: "see the rosterd log for details"
        default: ""
        }
    }

    /// The lines written to standard error: `error: …` and, when there is one, `hint: …`.
    public var textLines: [String] {
        var lines = ["error: \(message)"]
        if !hint.isEmpty { lines.append("hint: \(hint)") }
        return lines
    }

    /// The error as one JSON object, for `--json`.
    public var json: JSONValue {
        .object([
            ("error", .object([
                ("code", .string(code)),
                ("message", .string(message)),
                ("hint", .string(hint)),
                ("exitCode", .int(Int64(exitCode.rawValue))),
            ])),
        ])
    }
}
