internal import ArgumentParser
internal import RosterClient
internal import RosterWire

/// `roster watch [JOB]`: follow a job's progress to its end.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch a sync job's progress until it ends.",
        discussion: """
            On a terminal: one redrawn progress line (bar, percent, phase, counts, ETA, throttling \
            waits). Otherwise one line per change:
              phase=fetching state=running fetched=4200 total=10000 added=0 updated=0 removed=0 percent=42 eta_ms=12000 throttle_wait_ms=0
            With --json: one JSON object per update. Exit codes: 0 succeeded, 3 failed, \
            4 cancelled, 5 interrupted.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The job id (default: the active job, or else the last finished one).")
    var job: String?

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let final = try await ProgressWatcher(console: context.console, json: context.json).watch(
                client,
                jobID: job ?? ""
            )
            return RosterExitCode.forJobState(final.state)
        }
    }
}
