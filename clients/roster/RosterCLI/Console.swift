internal import Foundation

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Musl)
    internal import Musl
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Standard output, standard error and the questions asked on a terminal.
public struct Console: Sendable {
    /// Standard output is a terminal that can redraw a line (not TERM=dumb).
    public var outputIsTerminal: Bool
    /// Standard input is a terminal, so the operator can answer questions.
    public var canAsk: Bool

    public init(outputIsTerminal: Bool, canAsk: Bool) {
        self.outputIsTerminal = outputIsTerminal
        self.canAsk = canAsk
    }

    /// The process's own streams, judged by `isatty` and `TERM`.
    public static func standard(environment: [String: String]) -> Console {
        let dumb = environment["TERM"] == nil || environment["TERM"] == "dumb"
        return Console(outputIsTerminal: isatty(1) == 1 && !dumb, canAsk: isatty(0) == 1 && isatty(2) == 1)
    }

    /// Writes `line` and a newline to standard output.
    public func print(_ line: String) {
        write(line + "\n")
    }

    /// Writes `text` to standard output as is (no newline).
    public func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes `bytes` to standard output as they are (a photo's image).
    public func write(bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    /// Writes `line` and a newline to standard error.
    public func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Asks `question` on standard error and reads one answer line; nil at end of input.
    public func ask(_ question: String) -> String? {
        FileHandle.standardError.write(Data(question.utf8))
        return readLine(strippingNewline: true)
    }

    /// Asks a yes/no question whose default is no.
    public func confirm(_ question: String) -> Bool {
        guard let answer = ask(question + " [y/N] ") else { return false }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
