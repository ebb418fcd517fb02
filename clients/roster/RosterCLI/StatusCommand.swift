internal import ArgumentParser
internal import RosterClient
internal import RosterWire

/// `roster status`: the tenant's connection, scope, jobs and schedule.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the directory connection, saved scope, active and last job, and schedule."
    )

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let status = try await client.getStatus()
            if context.json {
                context.printJSON(JSONOutput.status(status))
            } else {
                Self.lines(status).forEach(context.console.print)
            }
            return .success
        }
    }

    /// The text form of a status.
    static func lines(_ status: GetStatusResponse) -> [String] {
        var connection = TextFormat.name(status.connectionState)
        if !status.connectionErrorCode.isEmpty { connection += " (\(status.connectionErrorCode))" }
        var rows: [(String, String)] = [
            ("Tenant", status.tenantID),
            ("Your role", TextFormat.name(status.callerRole)),
            ("Directory", connection),
        ]
        if !status.adminConsentURL.isEmpty { rows.append(("Admin consent", status.adminConsentURL)) }
        rows += [
            ("Scope", TextFormat.scope(status.savedScope)),
            ("Contacts", TextFormat.count(status.contactCount)),
            ("Active job", status.activeJob.map(jobLine) ?? "none"),
            ("Last job", status.lastFinishedJob.map(jobLine) ?? "none"),
        ]
        rows.append(
            contentsOf: ScheduleCommand.lines(
                status.settings ?? TenantSettings(),
                nextScheduledUnixMs: status.nextScheduledUnixMs
            )
        )
        rows.append(("Groups refreshed", TextFormat.time(unixMs: status.groupsRefreshedUnixMs)))
        return TextFormat.labelled(rows)
    }

    /// One job in a line: id, state, phase or outcome.
    static func jobLine(_ job: SyncJob) -> String {
        var line = "\(job.id) \(TextFormat.name(job.state))"
        if !job.state.isTerminal, job.phase != .unspecified { line += ", \(TextFormat.phase(job.phase))" }
        if job.finishedUnixMs != 0 { line += " at \(TextFormat.time(unixMs: job.finishedUnixMs))" }
        if let text = job.summary?.text, !text.isEmpty { line += ": \(text)" }
        if !job.errorCode.isEmpty || !job.errorMessage.isEmpty {
            line += ": " + [job.errorCode, job.errorMessage].filter { !$0.isEmpty }.joined(separator: ": ")
        }
        if !job.note.isEmpty { line += " (\(job.note))" }
        return line
    }
}
