internal import ArgumentParser
internal import RosterClient
internal import RosterWire

/// `roster changes`: the tenant's contact changes after a cursor, caught up or followed live.
struct ChangesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "List contact changes after a cursor; with --follow, keep printing them as they commit.",
        discussion: """
            Each line is one change: its cursor, what happened (added, updated, removed), what made it \
            (directory, override, photo), the contact's id, name and mail. Save the last cursor and pass \
            it as --after to continue without missing or repeating a change. With --json, one JSON \
            object per change and line. A cursor older than the server's retained history fails: read \
            every contact again (`roster contacts --all-pages`) and continue from its change cursor.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "The cursor of the last change already seen (0: from the start of the history).")
    var after: Int64 = 0

    @Flag(help: "After catching up, keep printing changes as they commit (until interrupted).")
    var follow = false

    @Option(help: "Changes per call when catching up (1-1000).")
    var pageSize: Int32 = 1000

    func validate() throws {
        guard after >= 0 else { throw ValidationError("--after must be 0 or more") }
        guard (1...1000).contains(pageSize) else { throw ValidationError("--page-size must be between 1 and 1000") }
    }

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            if follow {
                for try await change in client.contactChanges(after: after) { print(change, context) }
                return .success
            }
            var cursor = after
            var response: ListContactChangesResponse
            repeat {
                response = try await client.listContactChanges(after: cursor, pageSize: pageSize)
                for change in response.changes { print(change, context) }
                cursor = response.nextCursor
            } while response.hasMore
            if !context.json {
                context.console.print("Caught up at cursor \(cursor) (continue with --after \(cursor)).")
            }
            return .success
        }
    }

    private func print(_ change: ContactChange, _ context: CommandContext) {
        if context.json {
            context.printJSON(JSONOutput.change(change))
            return
        }
        let contact = change.contact
        let name = contact.map { $0.displayName.isEmpty ? "-" : $0.displayName } ?? "(removed)"
        let mail = contact.map { $0.mail.isEmpty ? $0.userPrincipalName : $0.mail } ?? ""
        context.console.print(
            "\(change.cursor)\t\(Self.word(change.kind))\t\(Self.word(change.source))\t\(change.contactID)\t\(name)"
                + (mail.isEmpty ? "" : " <\(mail)>")
        )
    }

    static func word(_ kind: ChangeKind) -> String {
        switch kind {
        case .added: "added"
        case .updated: "updated"
        case .removed: "removed"
        default: "kind \(kind.rawValue)"
        }
    }

    static func word(_ source: ChangeSource) -> String {
        switch source {
        case .directory: "directory"
        case .override: "override"
        case .photo: "photo"
        default: "source \(source.rawValue)"
        }
    }
}
