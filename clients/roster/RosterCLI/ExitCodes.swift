public import ArgumentParser
public import RosterRPC
public import RosterWire

/// The process exit codes of `roster`, documented in `roster --help` and clients/roster/README.md.
///
/// | code | meaning |
/// | --- | --- |
/// | 0 | success |
/// | 1 | a local failure (unreadable file, stream ended early, a question answered no) |
/// | 2 | `roster health`: the server answered NOT_SERVING |
/// | 3 | the watched sync job ended FAILED |
/// | 4 | the watched sync job ended CANCELLED |
/// | 5 | the watched sync job ended INTERRUPTED |
/// | 6 | `roster connect`: the directory awaits its administrator's admin consent (CONSENT_REQUIRED) |
/// | 10 + gRPC code | the server refused the call, e.g. 17 PERMISSION_DENIED, 19 FAILED_PRECONDITION, 24 UNAVAILABLE, 26 UNAUTHENTICATED |
/// | 64 | usage error (argument-parser's `ExitCode.validationFailure`): bad arguments, an ambiguous or unknown group, removals not confirmed |
public enum RosterExitCode {
    /// A local failure that is neither a usage error nor a server status.
    public static let failure = ExitCode.failure
    /// Bad or missing arguments; the same code argument-parser uses for its own parse errors.
    public static let usage = ExitCode.validationFailure
    /// `roster health`: the server (or service) is not serving.
    public static let notServing = ExitCode(2)
    public static let jobFailed = ExitCode(3)
    public static let jobCancelled = ExitCode(4)
    public static let jobInterrupted = ExitCode(5)
    /// `roster connect`: connected through the server's application, whose admin consent is missing.
    public static let consentRequired = ExitCode(6)

    /// 10 plus the gRPC status code number.
    public static func forStatus(_ code: RPCError.Code) -> ExitCode {
        ExitCode(10 + code.rawValue)
    }

    /// The exit code of a watch that saw the job end in `state`: 0 for SUCCEEDED.
    public static func forJobState(_ state: JobState) -> ExitCode {
        switch state {
        case .succeeded: .success
        case .failed: jobFailed
        case .cancelled: jobCancelled
        case .interrupted: jobInterrupted
        default: failure
        }
    }

    /// The table above as help text.
    public static let helpTable = """
        Exit codes:
          0          success
          1          local failure (unreadable file, stream ended early, "no")
          2          roster health: the server is NOT_SERVING
          3          the watched sync job FAILED
          4          the watched sync job was CANCELLED
          5          the watched sync job was INTERRUPTED (the server stopped)
          6          roster connect: the directory awaits admin consent
          10 + code  the server answered a gRPC status, e.g. 13 INVALID_ARGUMENT,
                     15 NOT_FOUND, 17 PERMISSION_DENIED, 19 FAILED_PRECONDITION,
                     24 UNAVAILABLE, 26 UNAUTHENTICATED
          64         usage error: bad arguments, ambiguous or unknown group,
                     removals not confirmed
        """
}
