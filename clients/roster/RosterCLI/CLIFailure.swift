public import ArgumentParser

/// A failure found by the CLI itself (not the server): its message, the next step, and the exit code.
public struct CLIFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// What to do next, printed on its own line after the message; empty for none.
    public var hint: String
    public var exitCode: ExitCode

    public init(_ message: String, hint: String = "", exitCode: ExitCode = RosterExitCode.usage) {
        self.message = message
        self.hint = hint
        self.exitCode = exitCode
    }

    public var description: String { hint.isEmpty ? message : "\(message) (\(hint))" }
}
