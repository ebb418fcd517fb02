internal import ArgumentParser
internal import RosterClient
internal import RosterWire

/// `roster jobs`: the tenant's sync history, newest first.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "List sync jobs, newest first, with their outcomes."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "At most this many jobs (1-200).")
    var limit: Int32 = 20

    func validate() throws {
        guard (1...200).contains(limit) else { throw ValidationError("--limit must be between 1 and 200") }
    }

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let response = try await client.listSyncJobs(limit: limit)
            if context.json {
                context.printJSON(JSONOutput.listJobs(response))
            } else if response.jobs.isEmpty {
                context.console.print(
                    "No sync jobs yet; start one with `roster sync --all` or `roster sync --group NAME`."
                )
            } else {
                TextFormat.table(
                    ["id", "state", "scope", "trigger", "started", "duration", "result"],
                    response.jobs.map(Self.row)
                )
                .forEach(context.console.print)
            }
            return .success
        }
    }

    /// One job as a table row.
    static func row(_ job: SyncJob) -> [String] {
        let started = job.startedUnixMs != 0 ? job.startedUnixMs : job.createdUnixMs
        let duration =
            job.finishedUnixMs != 0 && job.startedUnixMs != 0
            ? TextFormat.duration(ms: job.finishedUnixMs - job.startedUnixMs) : "-"
        var result = job.summary?.text ?? ""
        if result.isEmpty { result = [job.errorCode, job.errorMessage].filter { !$0.isEmpty }.joined(separator: ": ") }
        if !job.note.isEmpty { result += (result.isEmpty ? "" : " ") + "(\(job.note))" }
        return [
            job.id, TextFormat.name(job.state), TextFormat.scope(job.scope), TextFormat.name(job.trigger),
            TextFormat.time(unixMs: started), duration, result.isEmpty ? "-" : result,
        ]
    }
}
