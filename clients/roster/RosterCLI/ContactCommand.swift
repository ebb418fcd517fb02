internal import ArgumentParser
internal import RosterClient
internal import RosterRPC
internal import RosterWire

/// `roster contact ID-OR-MAIL`: one contact in full.
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

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            var found: Contact?
            let lookups = Self.lookups(for: idOrMail)
            for (index, lookup) in lookups.enumerated() {
                do {
                    found = try await client.getContact(lookup).contact
                    break
                } catch let error as RPCError where error.code == .notFound && index < lookups.count - 1 {
                    continue
                }
            }
            guard let contact = found else {
                throw CLIFailure("the server returned no contact", exitCode: RosterExitCode.failure)
            }
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
        return TextFormat.labelled(rows.filter { !$0.1.isEmpty })
    }
}
