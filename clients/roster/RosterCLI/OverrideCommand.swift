internal import ArgumentParser
internal import RosterClient
internal import RosterWire

/// `roster override set|clear`: an admin or editor replaces or hides one field of a contact
/// locally (SetContactOverride, ClearContactOverride); syncs keep it.
struct OverrideCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "override",
        abstract: "Set or clear a local override of a contact field (admin, editor).",
        discussion: """
            FIELD is named as proto/roster.proto names it: job_title, display_name, mobile_phone,
            business_phones (the numbers separated by line feeds), extension_attributes.1 … 15,
            attributes.<name> (one of the tenant's additional user properties). `roster contact`
            shows a contact's overrides beside the directory's values.
            """,
        subcommands: [SetOverride.self, ClearOverride.self]
    )

    /// The id of the contact `text` names: an id as it is; an address looked up (mail, then
    /// userPrincipalName).
    static func contactID(_ text: String, client: RosterClient) async throws -> String {
        text.contains("@") ? try await ContactCommand.find(text, client: client).id : text
    }

    /// Prints what a set or clear did: a line saying so, then the contact as `roster contact` does.
    static func report(_ contact: Contact, _ line: String, context: CommandContext) {
        if context.json {
            context.printJSON(JSONOutput.contact(contact))
        } else {
            context.console.print(line)
            ContactCommand.lines(contact).forEach(context.console.print)
        }
    }

    /// `roster override set CONTACT FIELD (VALUE | --hidden)`.
    struct SetOverride: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Make a contact field read as VALUE, or as empty with --hidden; replaces its override."
        )

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The contact: an id, or an address (tried as mail, then as userPrincipalName).")
        var contact: String

        @Argument(help: "The field, e.g. job_title, business_phones, extension_attributes.3, attributes.employeeId.")
        var field: String

        @Argument(help: "What the field reads as (at most 1,024 characters).")
        var value: String?

        @Flag(help: "Make the field read as empty instead.")
        var hidden = false

        func validate() throws {
            if hidden == (value != nil) {
                throw ValidationError("give exactly one of VALUE or --hidden")
            }
        }

        /// The request's `override` oneof.
        var override: SetContactOverrideRequest.Override { value.map { .value($0) } ?? .hidden(true) }

        func run() async throws {
            try await CommandRunner.run(connection) { client, context in
                let id = try await OverrideCommand.contactID(contact, client: client)
                let updated = try await client.setContactOverride(contactID: id, field: field, override)
                let what = hidden ? "hidden" : "overridden"
                OverrideCommand.report(updated, "\(field) of \(updated.id) is \(what).", context: context)
                return .success
            }
        }
    }

    /// `roster override clear CONTACT FIELD`.
    struct ClearOverride: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clear",
            abstract: "Remove a field's override: reads show the directory's value again."
        )

        @OptionGroup var connection: ConnectionOptions

        @Argument(help: "The contact: an id, or an address (tried as mail, then as userPrincipalName).")
        var contact: String

        @Argument(help: "The field whose override to remove.")
        var field: String

        func run() async throws {
            try await CommandRunner.run(connection) { client, context in
                let id = try await OverrideCommand.contactID(contact, client: client)
                let updated = try await client.clearContactOverride(contactID: id, field: field)
                OverrideCommand.report(
                    updated,
                    "\(field) of \(updated.id) shows the directory's value.",
                    context: context
                )
                return .success
            }
        }
    }
}
