internal import ArgumentParser
internal import RosterClient
internal import RosterWire

/// `roster contacts`: pages of synchronized contacts.
struct ContactsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contacts",
        abstract: "List synchronized contacts, optionally matching a search."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Prefix match on name, mail and userPrincipalName (case- and accent-insensitive).")
    var search: String?

    @Option(help: "Contacts per page (1-1000).")
    var pageSize: Int32 = 100

    @Option(help: "Continue from this page token (printed after a page that has more).")
    var pageToken: String?

    @Flag(help: "Fetch every page.")
    var allPages = false

    func validate() throws {
        guard (1...1000).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 1000") }
    }

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            var request = ListContactsRequest()
            request.pageSize = pageSize
            request.search = search ?? ""
            request.pageToken = pageToken ?? ""
            var contacts: [Contact] = []
            var response = try await client.listContacts(request)
            let changeCursor = response.changeCursor
            contacts += response.contacts
            while allPages, !response.nextPageToken.isEmpty {
                request.pageToken = response.nextPageToken
                response = try await client.listContacts(request)
                contacts += response.contacts
            }
            if context.json {
                context.printJSON(
                    JSONOutput.listContacts(
                        contacts,
                        nextPageToken: response.nextPageToken,
                        total: response.total,
                        changeCursor: changeCursor
                    )
                )
                return .success
            }
            let rows = contacts.map { contact in
                [
                    contact.displayName, contact.mail.isEmpty ? contact.userPrincipalName : contact.mail,
                    contact.jobTitle, contact.department, contact.id,
                ]
                .map { $0.isEmpty ? "-" : $0 }
            }
            if !rows.isEmpty {
                TextFormat.table(["name", "mail", "title", "department", "id"], rows).forEach(context.console.print)
            }
            context.console.print(
                "\(TextFormat.count(Int64(contacts.count))) of \(TextFormat.count(response.total)) contacts."
            )
            if !response.nextPageToken.isEmpty {
                context.console.print("More: --page-token \(response.nextPageToken) (or --all-pages)")
            }
            if pageToken == nil {
                context.console.print(
                    "Change cursor: \(changeCursor) (follow what changes next: roster changes --after \(changeCursor))"
                )
            }
            return .success
        }
    }
}
