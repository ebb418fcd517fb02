import ChildProcesses
import RosterClient
import RosterRPC
import RosterWire
import Testing

/// What a service developer meets: the README's example (Examples/ContactReader) run against a
/// real rosterd.
@Suite("The service developer's example against rosterd")
struct ServiceDeveloperTests {
    /// Runs the example with `arguments`, configured for `scenario`'s server and `key`.
    private func runExample(_ scenario: Scenario, key: String, _ arguments: [String]) async throws
        -> ChildProcess.Outcome
    {
        let environment = [
            "ROSTER_ADDRESS": "127.0.0.1:\(scenario.server.port)",
            "ROSTER_CA_FILE": scenario.server.certificatePath,
            "ROSTER_KEY": key,
        ]
        return try await ChildProcess(
            try RosterdProcess.binaryPath("contact-reader"),
            arguments,
            environment: environment
        ).run()
    }

    @Test("the README's example with a reader key finds a contact by mail, reads every contact, watches the last job")
    func example() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            let final = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            let reader = try scenario.client(scenario.acme.reader)
            var everyone: [Contact] = []
            for try await contact in reader.allContacts(pageSize: 333) { everyone.append(contact) }
            #expect(Set(everyone.map(\.id)) == (try await scenario.contactIDs(admin)))
            let someone = try #require(everyone.first { !$0.mail.isEmpty && !$0.surname.isEmpty })

            let run = try await runExample(scenario, key: scenario.acme.reader, [someone.mail, "--watch"])
            let lines = run.outputText.split(separator: "\n").map(String.init)
            #expect(run.status == 0, "\(run.outputText)\(run.errorText)")
            #expect(
                lines.first
                    == "found \(someone.displayName) <\(someone.mail)>, \(someone.jobTitle) in \(someone.department)"
            )
            let departments = Set(everyone.map(\.department)).count
            #expect(lines.contains("read \(everyone.count) contacts in \(departments) departments"))
            let matching = try await reader.listContacts(search: someone.surname, pageSize: 5)
            #expect(
                lines.contains(
                    "\(matching.total) contacts match \"\(someone.surname)\"; the first page holds \(matching.contacts.count)"
                )
            )
            #expect(lines.last == "job \(final.jobID) ended JOB_STATE_SUCCEEDED: \(final.summary?.text ?? "")")
            print(run.outputText)
        }
    }

    @Test("the example exits by the failure's code: 2 for an unknown mail, 3 for a lookup without '@', 4 for a bad key")
    func exampleFailures() async throws {
        try await Scenario.run { scenario in
            let unknown = try await runExample(scenario, key: scenario.acme.reader, ["nobody@example.com"])
            #expect(unknown.status == 2)
            #expect(unknown.errorText.hasPrefix("contact-reader: NOT_FOUND: no contact with nobody@example.com"))
            let malformed = try await runExample(scenario, key: scenario.acme.reader, ["nobody"])
            #expect(malformed.status == 3)
            #expect(malformed.errorText.hasPrefix("contact-reader: INVALID_ARGUMENT: GetContact's mail \"nobody\""))
            let badKey = try await runExample(scenario, key: "not-a-key", ["ada@example.com"])
            #expect(badKey.status == 4, "\(badKey.errorText)")
        }
    }
}
