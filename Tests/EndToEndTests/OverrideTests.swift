import Foundation
import GraphTestDouble
import RosterClient
import RosterRPC
import RosterWire
import Testing

/// Local overrides end to end: a real rosterd syncing from the Graph double, the client, the CLI.
@Suite("End to end: local overrides of contact fields", .timeLimit(.minutes(10)))
struct OverrideTests {
    @Test(
        "an editor's override shows in reads, survives a sync that changes the directory's value (shown beside it), clearing restores it, a reader is refused, and a contact leaving the scope loses its overrides"
    )
    func lifecycle() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            let editor = try scenario.client(scenario.acme.editor)
            let reader = try scenario.client(scenario.acme.reader)
            try await scenario.connect(admin)
            #expect(try await scenario.sync(admin, Scenario.request(Scenario.allUsers())).state == .succeeded)
            let synced = try await scenario.contactIDs(admin)
            let members = scenario.transitiveMembers(of: Scenario.ukStaff)
            let insider = try #require(synced.intersection(members).sorted().first)
            let outsider = try #require(synced.subtracting(members).sorted().first)
            let directoryTitle = try await reader.getContact(id: insider).jobTitle

            // An editor sets it; every reader sees it.
            let set = try await editor.setContactOverride(
                contactID: insider,
                field: "job_title",
                .value("Chief of Staff")
            )
            #expect(set.jobTitle == "Chief of Staff")
            #expect(set.overrides.first?.directoryValue == directoryTitle)
            #expect(set.overrides.first?.setBy.hasPrefix("editor of acme (") == true, "\(set.overrides)")
            let read = try await reader.getContact(id: insider)
            #expect(read.jobTitle == "Chief of Staff" && read.overrides.map(\.field) == ["job_title"])
            #expect(read.overrides.first?.directoryValue == "", "only when asked")

            // The directory changes the title: the sync updates the contact, the override stays.
            #expect(scenario.double.updateUser(id: insider, ["jobTitle": .string("Head of Operations")]))
            let delta = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(delta.state == .succeeded && delta.summary?.updated == 1)
            let after = try #require(
                try await reader.getContact(.id(insider), includeDirectoryValues: true).contact
            )
            #expect(after.jobTitle == "Chief of Staff")
            #expect(after.overrides.first?.directoryValue == "Head of Operations")

            // Readers cannot set or clear.
            let denied = await expectStatus(.permissionDenied) {
                _ = try await reader.setContactOverride(contactID: insider, field: "job_title", .hidden(true))
            }
            #expect(denied?.message.contains("editor or admin") == true)
            await expectStatus(.permissionDenied) {
                _ = try await reader.clearContactOverride(contactID: insider, field: "job_title")
            }
            await expectStatus(.invalidArgument) {
                _ = try await editor.setContactOverride(contactID: insider, field: "jobTitle", .value("x"))
            }

            // Clearing restores the directory's (new) value.
            let cleared = try await editor.clearContactOverride(contactID: insider, field: "job_title")
            #expect(cleared.jobTitle == "Head of Operations" && cleared.overrides.isEmpty)
            #expect(try await reader.getContact(id: insider).jobTitle == "Head of Operations")

            // A group sync removes the outsider with its override; the insider keeps its own.
            _ = try await editor.setContactOverride(contactID: insider, field: "mobile_phone", .hidden(true))
            _ = try await admin.setContactOverride(contactID: outsider, field: "display_name", .value("Gone Soon"))
            let group = try await scenario.sync(
                admin,
                Scenario.request(Scenario.group(Scenario.ukStaff), acknowledge: true)
            )
            #expect(group.state == .succeeded)
            await expectStatus(.notFound) { _ = try await reader.getContact(id: outsider) }
            await expectStatus(.notFound) {
                _ = try await admin.setContactOverride(contactID: outsider, field: "city", .value("x"))
            }
            #expect(try await reader.getContact(id: insider).overrides.map(\.field) == ["mobile_phone"])

            // Back in scope, the outsider returns as the directory has it, without the old override.
            let widened = try await scenario.sync(admin, Scenario.request(Scenario.allUsers(), acknowledge: true))
            #expect(widened.state == .succeeded)
            let returned = try await reader.getContact(id: outsider)
            #expect(returned.overrides.isEmpty && returned.displayName != "Gone Soon")
        }
    }

    @Test(
        "roster override set / clear and roster contact: the override with who set it and the directory's value; a reader's set exits 17"
    )
    func cli() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            #expect(try await scenario.sync(admin, Scenario.request(Scenario.allUsers())).state == .succeeded)
            let contact = try #require(
                try await admin.listContacts(pageSize: 100).contacts.first {
                    !$0.mail.isEmpty && !$0.displayName.isEmpty && !$0.givenName.isEmpty
                }
            )

            let set = try await CLITests.roster(
                ["override", "set", contact.mail, "display_name", "Shown Name"],
                scenario,
                key: scenario.acme.editor
            )
            #expect(set.status == 0, "\(set.errors)")
            #expect(set.lines.first == "display_name of \(contact.id) is overridden.")
            let hidden = try await CLITests.roster(
                ["override", "set", contact.id, "given_name", "--hidden", "--json"],
                scenario,
                key: scenario.acme.editor
            )
            #expect(hidden.status == 0, "\(hidden.errors)")
            let overrides = try #require(try hidden.json()["overrides"] as? [[String: Any]])
            #expect(overrides.compactMap { $0["field"] as? String } == ["display_name", "given_name"])
            #expect(overrides.last?["hidden"] as? Bool == true)
            #expect(overrides.first?["directoryValue"] as? String == contact.displayName)

            let shown = try await CLITests.roster(["contact", contact.id], scenario, key: scenario.acme.reader)
            #expect(shown.status == 0, "\(shown.errors)")
            #expect(shown.lines.contains { $0.hasPrefix("displayName:") && $0.hasSuffix("Shown Name") })
            #expect(shown.lines.contains("Local overrides:"))
            #expect(
                shown.lines.contains {
                    $0.hasPrefix(
                        "  display_name: \"Shown Name\" (directory: \"\(contact.displayName)\"), set by editor of acme ("
                    )
                },
                "\(shown.lines)"
            )
            #expect(shown.lines.contains { $0.hasPrefix("  given_name: hidden (directory: ") })

            let refused = try await CLITests.roster(
                ["override", "set", contact.id, "city", "Oslo"],
                scenario,
                key: scenario.acme.reader
            )
            #expect(refused.status == 17, "PERMISSION_DENIED: \(refused.errors)")
            let usage = try await CLITests.roster(
                ["override", "set", contact.id, "city", "Oslo", "--hidden"],
                scenario,
                key: scenario.acme.editor
            )
            #expect(usage.status == 64, "VALUE and --hidden together: \(usage.errors)")

            let cleared = try await CLITests.roster(
                ["override", "clear", contact.id, "display_name"],
                scenario,
                key: scenario.acme.admin
            )
            #expect(cleared.status == 0, "\(cleared.errors)")
            #expect(cleared.lines.first == "display_name of \(contact.id) shows the directory's value.")
            #expect(try await admin.getContact(id: contact.id).displayName == contact.displayName)
        }
    }
}
