import Foundation
import GraphTestDouble
import RosterClient
import RosterRPC
import RosterWire
import Testing

/// Additional user properties end to end: rosterd, the Graph double over HTTP, and the CLI.
@Suite("End to end: additional user properties", .timeLimit(.minutes(10)))
struct AttributeTests {
    static let costCentre = "extension_0f2a9c4e8b7d4e1fa3c65d2b9e8f7a61_costCentre"

    static func settings(_ names: [String]) -> UpdateSettingsRequest {
        var request = UpdateSettingsRequest()
        request.attributes = AttributeList(names)
        return request
    }

    /// A property's value as Contact.attributes carries it (lists joined by line feeds).
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .array(let items): items.compactMap(\.string).joined(separator: "\n")
        default: nil
        }
    }

    /// The last progress of the job `started` began.
    static func finish(_ started: StartSyncResponse, _ admin: RosterClient, _ scenario: Scenario) async throws
        -> ProgressUpdate
    {
        let job = try #require(started.job?.id)
        return try #require(try await scenario.watch(admin, job: job).last)
    }

    /// A synced member of the demo directory holding every property the tests look at.
    static func someone(_ scenario: Scenario) throws -> JSONObject {
        try #require(
            scenario.directory.users.first {
                $0["userType"]?.string == "Member" && $0["accountEnabled"]?.bool == true
                    && $0["otherMails"] != nil && $0[costCentre] != nil && $0["employeeId"]?.string != nil
            }
        )
    }

    @Test(
        "UpdateSettings refuses unknown, malformed and contact-field names (each named), more than 100, and anyone but an admin; canonical names are kept"
    )
    func refusals() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            let refused = await expectStatus(.invalidArgument) {
                _ = try await admin.updateSettings(
                    Self.settings(["employeeId", "shoeSize", "hatSize", "extension_abc_costCentre", "mail"])
                )
            }
            let message = refused?.message ?? ""
            #expect(message.hasPrefix("attributes: unknown user properties: shoeSize, hatSize ("))
            #expect(message.contains("malformed schema extension names: extension_abc_costCentre"))
            #expect(message.contains("already synced as contact fields: mail"))
            let many = (0...100).map { "extension_0f2a9c4e8b7d4e1fa3c65d2b9e8f7a61_p\($0)" }
            let tooMany = await expectStatus(.invalidArgument) {
                _ = try await admin.updateSettings(Self.settings(many))
            }
            #expect(tooMany?.message.contains("at most 100") == true)
            #expect(try await admin.getStatus().settings?.attributes == [], "a refused list changes nothing")

            for key in [scenario.acme.editor, scenario.acme.reader] {
                let denied = await expectStatus(.permissionDenied) {
                    _ = try await scenario.client(key).updateSettings(Self.settings(["employeeId"]))
                }
                #expect(denied?.message.contains("admin") == true)
            }
            let saved = try await admin.updateSettings(
                Self.settings([
                    "EMPLOYEEID", "employeeId", "EXTENSION_0F2A9C4E8B7D4E1FA3C65D2B9E8F7A61_costCentre",
                    Self.costCentre,
                ])
            )
            #expect(saved.settings?.attributes == ["employeeId", Self.costCentre])
            #expect(try await admin.getStatus().settings?.attributes == ["employeeId", Self.costCentre])
            #expect(try await admin.updateSettings(UpdateSettingsRequest()).settings?.attributes.count == 2)
            #expect(try await admin.updateSettings(Self.settings([])).settings?.attributes == [])
        }
    }

    @Test(
        "a sync selects the list from Graph and GetContact carries the values; an attribute change is an update in a delta run; a change of the list runs full and drops removed names"
    )
    func syncCarriesAttributes() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            let user = try Self.someone(scenario)
            let id = try #require(user["id"]?.string)
            _ = try await admin.updateSettings(Self.settings(["employeeId", "otherMails", Self.costCentre]))

            let full = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            #expect(full.job?.mode == .full)
            #expect(
                try await Self.finish(full, admin, scenario).state == .succeeded
            )
            let contact = try await admin.getContact(id: id)
            #expect(
                contact.attributes == [
                    "employeeId": try #require(Self.text(user["employeeId"])),
                    "otherMails": try #require(Self.text(user["otherMails"])),
                    Self.costCentre: try #require(Self.text(user[Self.costCentre])),
                ]
            )
            #expect(contact.attributes["otherMails"]?.contains("\n") == true)
            // Every user request but the permission check's ($select=id) asks for the list.
            let selects = scenario.double.requests.filter { $0.path.hasPrefix("/v1.0/users") }
                .compactMap { $0.query["$select"] }.filter { $0 != "id" }
            #expect(
                !selects.isEmpty && selects.allSatisfy { $0.hasSuffix(",employeeId,otherMails,\(Self.costCentre)") }
            )

            #expect(scenario.double.updateUser(id: id, [Self.costCentre: .string("CC-999 Moved")]))
            let delta = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            #expect(delta.job?.mode == .delta)
            let deltaFinal = try await Self.finish(delta, admin, scenario)
            #expect(deltaFinal.state == .succeeded)
            #expect(deltaFinal.summary?.updated == 1)
            #expect(try await admin.getContact(id: id).attributes[Self.costCentre] == "CC-999 Moved")

            let reordered = [Self.costCentre, "otherMails", "employeeId"]
            #expect(try await admin.updateSettings(Self.settings(reordered)).settings?.attributes == reordered)
            let same = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            #expect(same.job?.mode == .delta, "the same names in another order keep the delta link")
            #expect(try await Self.finish(same, admin, scenario).state == .succeeded)

            _ = try await admin.updateSettings(Self.settings(["employeeId"]))
            let changed = try await admin.startSync(Scenario.request(Scenario.allUsers()))
            #expect(changed.job?.mode == .full, "a change of the list makes the next run full")
            #expect(
                try await Self.finish(changed, admin, scenario).state
                    == .succeeded
            )
            #expect(
                try await admin.getContact(id: id).attributes == [
                    "employeeId": try #require(Self.text(user["employeeId"]))
                ]
            )
        }
    }

    @Test("roster settings shows and edits the list; roster contact shows the values")
    func cli() async throws {
        try await Scenario.run { scenario in
            let admin = scenario.acme.admin
            let added = try await CLITests.roster(
                ["settings", "--add-attribute", "EmployeeId", "--add-attribute", Self.costCentre],
                scenario,
                key: admin
            )
            #expect(added.status == 0, "\(added.errors)")
            #expect(added.output.contains("Attributes") && added.output.contains("employeeId, \(Self.costCentre)"))
            let removed = try await CLITests.roster(
                ["settings", "--remove-attribute", "employeeid", "--json"],
                scenario,
                key: admin
            )
            let settings = try #require(try removed.json()["settings"] as? [String: Any])
            #expect(settings["attributes"] as? [String] == [Self.costCentre])
            let unknown = try await CLITests.roster(["settings", "--attributes", "shoeSize"], scenario, key: admin)
            #expect(unknown.status != 0)
            #expect(unknown.errors.contains("unknown user properties: shoeSize"))

            let client = try scenario.client(admin)
            try await scenario.connect(client)
            #expect(try await scenario.sync(client, Scenario.request(Scenario.allUsers())).state == .succeeded)
            let user = try Self.someone(scenario)
            let shown = try await CLITests.roster(["contact", try #require(user["id"]?.string)], scenario, key: admin)
            #expect(shown.output.contains(Self.costCentre))
            #expect(shown.output.contains(try #require(Self.text(user[Self.costCentre]))))
        }
    }
}
