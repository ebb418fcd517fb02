internal import ArgumentParser
internal import RosterClient
internal import RosterWire

/// `roster cancel [JOB]`: stop the active job.
struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel the active sync job; nothing of it is applied."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The job id (default: the active job).")
    var job: String?

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let response = try await client.cancelSync(jobID: job ?? "")
            guard let job = response.job else {
                throw CLIFailure("the server returned no job", exitCode: RosterExitCode.failure)
            }
            if context.json {
                context.printJSON(JSONOutput.job(job))
            } else if job.state.isTerminal {
                context.console.print(
                    "Sync job \(job.id) is \(TextFormat.name(job.state)); nothing of a cancelled job is applied."
                )
            } else {
                context.console.print(
                    "Asked sync job \(job.id) to stop (now \(TextFormat.name(job.state))); `roster watch \(job.id)` shows when it has."
                )
            }
            return .success
        }
    }
}
