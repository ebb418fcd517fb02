internal import ArgumentParser
internal import RosterClient
internal import RosterWire

/// `roster groups TEXT`: the type-ahead search among mail-enabled security groups.
struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups",
        abstract: "Find mail-enabled security groups by the start of their name, a word of it, or their mail."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "What to look for (empty: the first groups alphabetically).")
    var text: String = ""

    @Option(help: "At most this many groups (1-100).")
    var limit: Int32 = 10

    func validate() throws {
        guard (1...100).contains(limit) else { throw ValidationError("--limit must be between 1 and 100") }
    }

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let response = try await client.listGroups(query: text, limit: limit)
            if context.json {
                context.printJSON(JSONOutput.listGroups(response))
            } else if response.groups.isEmpty {
                context.console.print("No mail-enabled security group matches \"\(text)\".")
            } else {
                let rows = response.groups.map { [$0.displayName, $0.mail.isEmpty ? "-" : $0.mail, $0.id] }
                TextFormat.table(["name", "mail", "id"], rows).forEach(context.console.print)
            }
            return .success
        }
    }
}
