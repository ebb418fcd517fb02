internal import ArgumentParser
internal import RosterClient
internal import RosterRPC
internal import RosterWire

/// `roster contact ID-OR-MAIL`: one contact in full, its local overrides with the directory's values.
struct ContactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact",
        abstract: "Show one contact by id, mail or userPrincipalName."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "A contact id, or an address: tried as mail, then as userPrincipalName.")
    var idOrMail: String

    /// The lookups to try in order for `text`.
    static func lookups(for text: String) -> [GetContactRequest.Lookup] {
        text.contains("@") ? [.mail(text), .userPrincipalName(text)] : [.id(text)]
    }

    /// The contact `text` names (an id, or an address tried as mail, then as userPrincipalName),
    /// its overrides with the directory's values.
    static func find(_ text: String, client: RosterClient) async throws -> Contact {
        let lookups = lookups(for: text)
        for (index, lookup) in lookups.enumerated() {
            do {
                if let contact = try await client.getContact(lookup, includeDirectoryValues: true).contact {
                    return contact
                }
            } catch let error as RPCError where error.code == .notFound && index < lookups.count - 1 {
                continue
            }
        }
        throw CLIFailure("the server returned no contact", exitCode: RosterExitCode.failure)
    }

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let contact = try await Self.find(idOrMail, client: client)
            if context.json {
                context.printJSON(JSONOutput.contact(contact))
            } else {
                Self.lines(contact).forEach(context.console.print)
            }
            return .success
        }
    }

    /// The contact's non-empty fields, one per line.
    static func lines(_ contact: Contact) -> [String] {
        var rows: [(String, String)] = [
            ("id", contact.id), ("userPrincipalName", contact.userPrincipalName), ("mail", contact.mail),
            ("displayName", contact.displayName), ("givenName", contact.givenName), ("surname", contact.surname),
            ("jobTitle", contact.jobTitle), ("department", contact.department), ("companyName", contact.companyName),
            ("officeLocation", contact.officeLocation),
            ("businessPhones", contact.businessPhones.joined(separator: ", ")),
            ("mobilePhone", contact.mobilePhone), ("faxNumber", contact.faxNumber),
            ("streetAddress", contact.streetAddress),
            ("city", contact.city), ("state", contact.state), ("postalCode", contact.postalCode),
            ("country", contact.country),
        ]
        rows += contact.extensionAttributes.sorted { $0.key < $1.key }.map { ("extensionAttribute\($0.key)", $0.value) }
        // Additional user properties; a list's items (joined by line feeds on the wire) by commas.
        rows += contact.attributes.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map {
            ($0.key, $0.value.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: ", "))
        }
        rows.append(("photoEtag", contact.photoEtag))
        rows.append(("changed", TextFormat.time(unixMs: contact.changedUnixMs)))
        return TextFormat.labelled(rows.filter { !$0.1.isEmpty }) + overrideLines(contact.overrides)
    }

    /// "Local overrides:" and one line per override: the field, what reads show, the directory's
    /// value, who set it and when. Nothing when the contact has none.
    static func overrideLines(_ overrides: [ContactOverride]) -> [String] {
        guard !overrides.isEmpty else { return [] }
        /// A value as one line: a list's items (line feeds) separated by commas, quoted; "none" when empty.
        func shown(_ value: String) -> String {
            value.isEmpty
                ? "none"
                : "\"" + value.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: ", ") + "\""
        }
        return ["Local overrides:"]
            + overrides.map { override in
                let value = override.hidden ? "hidden" : shown(override.value)
                return "  \(override.field): \(value) (directory: \(shown(override.directoryValue))), set by "
                    + "\(override.setBy) at \(TextFormat.time(unixMs: override.setUnixMs))"
            }
    }
}
