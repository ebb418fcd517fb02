internal import RosterClient
internal import RosterRPC
internal import RosterWire

/// Follows one job's WatchProgress stream to its final message: a redrawn bar on a terminal, one
/// plain line per change otherwise, one JSON object per update with `--json`.
struct ProgressWatcher {
    var console: Console
    var json: Bool

    /// Watches `jobID` (empty: the active or last job), prints the outcome and returns the final update.
    func watch(_ client: RosterClient, jobID: String) async throws -> ProgressUpdate {
        let stream = try await client.watchProgress(jobID: jobID)
        var plain = PlainProgressLines()
        var barShown = false
        var last: ProgressUpdate?
        for try await update in stream {
            last = update
            if json {
                console.print(JSONOutput.progress(update).rendered)
            } else if console.outputIsTerminal {
                console.write(ProgressBar.redraw + ProgressBar.line(for: update))
                barShown = true
            } else if let line = plain.line(for: update) {
                console.print(line)
            }
            if update.final { break }
        }
        if barShown { console.write("\n") }
        guard let last, last.final else {
            let again = jobID.isEmpty ? "roster watch" : "roster watch \(jobID)"
            throw CLIFailure(
                "the progress stream ended before the job finished",
                hint: "run `\(again)` to follow it again",
                exitCode: RosterExitCode.failure
            )
        }
        if !json {
            let outcome = Self.outcome(of: last)
            outcome.output.forEach(console.print)
            outcome.errors.forEach(console.printError)
        }
        return last
    }

    /// What is printed when a job has ended: the confirmation summary on standard output for a
    /// success, the reason on standard error otherwise.
    static func outcome(of final: ProgressUpdate) -> (output: [String], errors: [String]) {
        let reason = final.errorMessage.isEmpty ? "" : ": \(final.errorMessage)"
        let code = final.errorCode.isEmpty ? "" : " (\(final.errorCode))"
        switch final.state {
        case .succeeded:
            let text = final.summary?.text ?? ""
            return ([text.isEmpty ? "Sync job \(final.jobID) succeeded." : text], [])
        case .failed:
            return ([], ["error: sync job \(final.jobID) failed\(code)\(reason)"])
        case .cancelled:
            return ([], ["Sync job \(final.jobID) was cancelled; nothing of it was applied."])
        case .interrupted:
            return (
                [],
                [
                    "error: sync job \(final.jobID) was interrupted (the server stopped)\(code)\(reason)",
                    "hint: nothing of it was applied; start it again with `roster sync`",
                ]
            )
        default:
            return ([], ["error: sync job \(final.jobID) ended in state \(final.state)"])
        }
    }
}
