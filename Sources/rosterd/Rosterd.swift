import ArgumentParser

/// `rosterd`: the Roster server, and the subcommands that manage its local database.
@main
struct Rosterd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rosterd",
        abstract: "The Roster server: mirrors Microsoft 365 directories into a contact database.",
        discussion: """
            Settings come from a JSON configuration file (--config / ROSTERD_CONFIG), then the \
            environment (ROSTERD_*), then flags; a later source wins. See README.md, "Configuration".
            """,
        subcommands: [Serve.self, Tenants.self, Keys.self, AppCertificate.self, MigrateStore.self],
        defaultSubcommand: Serve.self
    )
}
