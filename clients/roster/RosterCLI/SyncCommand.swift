internal import ArgumentParser
internal import Foundation
internal import RosterClient
internal import RosterWire

/// `roster sync`: start a sync of all users or of one group, confirm removals, and watch it.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Synchronize all users or the members of one group, then watch the job.",
        discussion: """
            --group takes a group's name or id; a name is looked up among the mail-enabled security \
            groups (as `roster groups` does) and, when several match, they are listed to choose from. \
            Before a group sync that would remove contacts, roster shows how many and asks (on a \
            terminal); --yes confirms in advance, and without a terminal the sync is refused (exit 64) \
            unless --yes is given. An all-users sync removing more contacts than the tenant's deletion \
            threshold stops before applying (exit 3); run it again with --yes to acknowledge. Exit codes after watching: 0 succeeded, 3 failed, 4 cancelled, \
            5 interrupted; see `roster --help` for the rest.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Synchronize every member account.")
    var all = false

    @Option(help: ArgumentHelp("Synchronize the members of this mail-enabled security group.", valueName: "name-or-id"))
    var group: String?

    @Flag(help: "Only show what the sync would add, update and remove.")
    var dryRun = false

    @Flag(help: "Confirm removals without asking.")
    var yes = false

    @Flag(help: "Start the job and return without watching it.")
    var noWatch = false

    @Flag(help: "Fetch everyone instead of using the delta query.")
    var full = false

    func validate() throws {
        if all == (group != nil) {
            throw ValidationError("pass exactly one of --all or --group NAME-OR-ID")
        }
        if let group, group.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--group needs a group name or id")
        }
    }

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let scope = try await resolveScope(client, context)
            let watcher = ProgressWatcher(console: context.console, json: context.json)
            var acknowledge = yes
            // A group sync is planned first, to show the removals before asking. An all-users sync
            // is not (its plan would fetch the whole directory twice): the server's deletion
            // threshold stops it before applying, and `--yes` acknowledges.
            if dryRun || (!yes && scope.kind == .group) {
                var request = StartSyncRequest()
                request.scope = scope
                request.dryRun = true
                request.forceFull = full
                let response = try await client.startSync(request)
                if response.alreadyRunning, let job = response.job {
                    return try await follow(job, alreadyRunning: true, response: response, client, context, watcher)
                }
                let plan = response.plan ?? DryRunPlan()
                if dryRun {
                    if context.json {
                        context.printJSON(JSONOutput.startSync(response))
                    } else {
                        printPlan(plan, scope: scope, context.console)
                    }
                    return .success
                }
                if plan.toRemove > 0 {
                    let warning = Self.removalWarning(plan.toRemove, scope: scope)
                    guard !context.json, context.console.canAsk else {
                        throw CLIFailure(
                            warning + " Not confirmed.",
                            hint: "pass --yes to confirm, or --dry-run to see who"
                        )
                    }
                    guard context.console.confirm(warning + " Continue?") else {
                        throw CLIFailure("sync not started; nothing was changed", exitCode: RosterExitCode.failure)
                    }
                    acknowledge = true
                }
            }
            var request = StartSyncRequest()
            request.scope = scope
            request.acknowledgeRemovals = acknowledge
            request.forceFull = full
            let response = try await client.startSync(request)
            guard let job = response.job else {
                throw CLIFailure("the server started no job", exitCode: RosterExitCode.failure)
            }
            return try await follow(
                job,
                alreadyRunning: response.alreadyRunning,
                response: response,
                client,
                context,
                watcher
            )
        }
    }

    /// Announces the started (or running) job and, unless --no-watch, watches it to the end.
    private func follow(
        _ job: SyncJob,
        alreadyRunning: Bool,
        response: StartSyncResponse,
        _ client: RosterClient,
        _ context: CommandContext,
        _ watcher: ProgressWatcher
    ) async throws -> ExitCode {
        if context.json {
            context.printJSON(JSONOutput.startSync(response))
        } else if alreadyRunning {
            context.console.print(
                "A sync is already running: job \(job.id) (\(TextFormat.scope(job.scope))); \(noWatch || dryRun ? "nothing new was started." : "watching it.")"
            )
        } else {
            context.console.print("Started sync job \(job.id) (\(TextFormat.scope(job.scope))).")
        }
        if noWatch || dryRun { return .success }
        let final = try await watcher.watch(client, jobID: job.id)
        return RosterExitCode.forJobState(final.state)
    }

    /// The scope named by --all or --group, asking the operator to choose when a name is ambiguous.
    private func resolveScope(_ client: RosterClient, _ context: CommandContext) async throws -> SyncScope {
        guard let group else { return .allUsers }
        let text = group.trimmingCharacters(in: .whitespaces)
        let response = try await client.listGroups(query: text, limit: 20)
        switch GroupResolution.resolve(text, in: response) {
        case .match(let id, let displayName):
            return .group(id: id, displayName: displayName)
        case .noMatch:
            throw CLIFailure("no mail-enabled security group matches \"\(text)\"", hint: "try `roster groups TEXT`")
        case .candidates(let groups):
            let list = GroupResolution.numberedList(groups)
            guard !context.json, context.console.canAsk else {
                throw CLIFailure(
                    "\"\(text)\" could mean several groups:\n" + list.joined(separator: "\n"),
                    hint: "pass the group's id or exact name with --group"
                )
            }
            context.console.printError("\"\(text)\" could mean several groups:")
            list.forEach(context.console.printError)
            let answer = context.console.ask("Group number (1-\(groups.count), empty to stop): ") ?? ""
            guard let number = Int(answer.trimmingCharacters(in: .whitespaces)), (1...groups.count).contains(number)
            else {
                throw CLIFailure("no group chosen; nothing was started", exitCode: RosterExitCode.failure)
            }
            let chosen = groups[number - 1]
            return .group(id: chosen.id, displayName: chosen.displayName)
        }
    }

    /// "This sync will remove N contacts (…)."
    static func removalWarning(_ count: Int64, scope: SyncScope) -> String {
        let who =
            scope.kind == .group
            ? "people outside \(scope.groupDisplayName.isEmpty ? "group \(scope.groupID)" : scope.groupDisplayName) will lose their data"
            : "people no longer among the directory's member accounts will lose their data"
        return "This sync will remove \(TextFormat.count(count)) contact\(count == 1 ? "" : "s") (\(who))."
    }

    private func printPlan(_ plan: DryRunPlan, scope: SyncScope, _ console: Console) {
        console.print(
            "Dry run for \(TextFormat.scope(scope)): \(TextFormat.count(plan.toAdd)) to add, \(TextFormat.count(plan.toUpdate)) to update, \(TextFormat.count(plan.toRemove)) to remove, \(TextFormat.count(plan.unchanged)) unchanged. Nothing was changed."
        )
        let rows = plan.sample.map { entry in
            [TextFormat.name(entry.action), entry.displayName, entry.mail.isEmpty ? "-" : entry.mail, entry.contactID]
        }
        if !rows.isEmpty {
            console.print("Sample:")
            TextFormat.table(["action", "name", "mail", "id"], rows).forEach { console.print("  " + $0) }
        }
    }
}
