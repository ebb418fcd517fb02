public import ArgumentParser

/// `roster`: the operator's command-line tool for a `rosterd` server.
public struct Roster: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "roster",
        abstract: "Operate a Roster server: connect the directory, run and watch syncs, read contacts.",
        discussion: """
            Every command takes --address, --ca-file, --key / --key-file, --plaintext
            and --json. Flags win over the environment:
              ROSTER_ADDRESS  server host:port (default \(ConnectionOptions.defaultAddress))
              ROSTER_CA_FILE  PEM CA certificate to trust (a self-signed rosterd
                              certificate works)
              ROSTER_KEY      the API key (safer than --key, which shows in ps
                              and in shell history)

            --json writes one JSON object per line (progress: one per update), with
            the proto3 JSON field names; errors go to standard error, as JSON too.

            \(RosterExitCode.helpTable)

            Shell completions: roster --generate-completion-script bash|zsh|fish
            """,
        subcommands: [
            ConnectCommand.self, SyncCommand.self, WatchCommand.self, CancelCommand.self, StatusCommand.self,
            GroupsCommand.self, ContactsCommand.self, ContactCommand.self, OverrideCommand.self, ChangesCommand.self,
            PhotoCommand.self, JobsCommand.self, ScheduleCommand.self, SettingsCommand.self,
            KeysCommand.self, HealthCommand.self, DescribeCommand.self, CallCommand.self, DemoCommand.self,
        ]
    )

    public init() {}
}
