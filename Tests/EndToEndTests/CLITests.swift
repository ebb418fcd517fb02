import ChildProcesses
import Foundation
import GraphTestDouble
import RosterClient
import RosterRPC
import RosterWire
import Testing

/// The built `roster` binary against a real rosterd over TLS: JSON output field by field, the
/// non-terminal progress lines, exit codes.
@Suite("End to end: the roster CLI", .serialized, .timeLimit(.minutes(10)))
struct CLITests {
    struct Run {
        var status: Int32
        var output: String
        var errors: String
        var lines: [String] { output.split(separator: "\n").map(String.init) }
        func json() throws -> [String: Any] {
            try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        }
    }

    /// Runs `roster ARGUMENTS` with the server's address, certificate and `key` in the environment.
    static func roster(_ arguments: [String], _ scenario: Scenario, key: String) async throws -> Run {
        let environment = [
            "ROSTER_ADDRESS": "127.0.0.1:\(scenario.server.port)", "ROSTER_CA_FILE": scenario.server.certificatePath,
            "ROSTER_KEY": key, "TERM": "dumb", "ROSTER_CLIENT_SECRET": "double-secret",
        ]
        let run = try await ChildProcess(try binary("roster"), arguments, environment: environment).run()
        return Run(status: run.status, output: run.outputText, errors: run.errorText)
    }

    static func binary(_ name: String) throws -> String {
        let rosterd = try RosterdProcess.binaryPath()
        return URL(fileURLWithPath: rosterd).deletingLastPathComponent().appendingPathComponent(name).path
    }

    @Test(
        "roster keys: an admin creates a reader key that works at once, lists it (no token, last use), revokes it, and it stops at once"
    )
    func keys() async throws {
        try await Scenario.run { scenario in
            let admin = scenario.acme.admin
            let created = try await Self.roster(
                ["keys", "create", "--role", "reader", "--label", "signature service", "--json"],
                scenario,
                key: admin
            )
            #expect(created.status == 0, "\(created.errors)")
            let json = try created.json()
            let token = try #require(json["token"] as? String)
            let key = try #require(json["key"] as? [String: Any])
            let id = try #require(key["id"] as? String)
            #expect(key["role"] as? String == "ROLE_READER")

            let status = try await Self.roster(["status", "--json"], scenario, key: token)
            #expect(status.status == 0, "the new key works: \(status.errors)")

            let listed = try await Self.roster(["keys", "list", "--json"], scenario, key: admin)
            #expect(!listed.output.contains(token), "no token in the listing")
            let keys = try #require(try listed.json()["keys"] as? [[String: Any]])
            let entry = try #require(keys.first { $0["id"] as? String == id })
            #expect(entry["label"] as? String == "signature service")
            #expect((entry["lastUsedUnixMs"] as? Int ?? 0) > 0, "its use is known")

            let refused = try await Self.roster(["keys", "list"], scenario, key: token)
            #expect(refused.status == 17, "a reader may not list keys: \(refused.errors)")

            let revoked = try await Self.roster(["keys", "revoke", id], scenario, key: admin)
            #expect(revoked.status == 0, "\(revoked.errors)")
            let after = try await Self.roster(["status"], scenario, key: token)
            #expect(after.status == 26, "revoked over RPC: refused at once")
        }
    }

    @Test("roster health: SERVING with no API key and exit 0; an unknown service exits 15 (NOT_FOUND)")
    func health() async throws {
        try await Scenario.run { scenario in
            let serving = try await Self.roster(["health", "--json"], scenario, key: "")
            #expect(serving.status == 0, "\(serving.errors)")
            #expect(try serving.json()["status"] as? String == "SERVING")
            let roster = try await Self.roster(["health", "roster.v1.Roster"], scenario, key: "")
            #expect(roster.status == 0)
            #expect(roster.output.contains("roster.v1.Roster: SERVING"))
            let unknown = try await Self.roster(["health", "no.such.Service"], scenario, key: "")
            #expect(unknown.status == 15, "\(unknown.errors)")
        }
    }

    @Test(
        "connect, groups, a group sync with its progress lines and confirmation, status, contacts, jobs, and exit codes"
    )
    func operatorSession() async throws {
        try await Scenario.run { scenario in
            let admin = scenario.acme.admin
            let base = scenario.double.baseURL
            let connect = try await Self.roster(
                [
                    "connect", "--directory-tenant-id", "double-tenant", "--client-id", "roster-app", "--authority-url",
                    base,
                    "--graph-url", base, "--json",
                ],
                scenario,
                key: admin
            )
            #expect(connect.status == 0, "\(connect.errors)")
            let connected = try connect.json()
            #expect(connected["state"] as? String == "CONNECTION_STATE_AUTHORIZED")
            #expect(connected["groupsCached"] as? Int == 14)
            #expect(connected["grantedPermissions"] as? [String] == ["GroupMember.Read.All", "User.Read.All"])

            let groups = try await Self.roster(["groups", "uk", "--json"], scenario, key: admin)
            #expect(groups.status == 0)
            let listed = try #require(try groups.json()["groups"] as? [[String: Any]])
            #expect(
                listed.map { $0["displayName"] as? String } == ["uk-london", "UK Sales", "UK Staff", "Ukraine Office"]
            )
            #expect(listed.first?["kind"] as? String == "GROUP_KIND_MAIL_ENABLED_SECURITY")

            // The first sync of the tenant removes nothing, so no confirmation is asked.
            let sync = try await Self.roster(["sync", "--group", "UK Staff"], scenario, key: admin)
            #expect(sync.status == 0, "\(sync.errors)")
            let progress = sync.lines.filter { $0.hasPrefix("phase=") }
            #expect(!progress.isEmpty)
            for line in progress {
                #expect(
                    line.contains(" state=") && line.contains(" fetched=") && line.contains(" throttle_wait_ms="),
                    "\(line)"
                )
            }
            #expect(progress.last?.contains("state=succeeded") == true)
            #expect(Set(progress).count == progress.count, "one line per change")
            let summary = try #require(sync.lines.last)
            #expect(summary.hasPrefix("Synchronized "))
            #expect(summary.contains(" added, 0 updated, 0 removed) in "))

            // An all-users sync removes nothing either; back to the group would remove people: it asks.
            #expect(try await Self.roster(["sync", "--all", "--no-watch"], scenario, key: admin).status == 0)
            let client = try scenario.client(admin)
            for try await update in try await client.watchProgress() where update.final { break }
            let refused = try await Self.roster(["sync", "--group", "UK Staff"], scenario, key: admin)
            #expect(refused.status == 64)
            #expect(refused.errors.contains("This sync will remove "))
            #expect(refused.errors.contains("pass --yes"))
            let confirmed = try await Self.roster(
                ["sync", "--group", "UK Staff", "--yes", "--json"],
                scenario,
                key: admin
            )
            #expect(confirmed.status == 0, "\(confirmed.errors)")
            let updates = confirmed.lines.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            let final = try #require(updates.last)
            #expect(final["final"] as? Bool == true)
            #expect(final["state"] as? String == "JOB_STATE_SUCCEEDED")
            let confirmation = try #require(final["summary"] as? [String: Any])
            #expect((confirmation["removed"] as? Int ?? 0) > 0)

            let status = try await Self.roster(["status", "--json"], scenario, key: scenario.acme.reader)
            let state = try status.json()
            #expect(state["tenantId"] as? String == "acme")
            #expect(state["callerRole"] as? String == "ROLE_READER")
            #expect((state["savedScope"] as? [String: Any])?["groupDisplayName"] as? String == "UK Staff")
            #expect(state["contactCount"] as? Int == confirmation["totalContacts"] as? Int)

            let contacts = try await Self.roster(
                ["contacts", "--search", "ann", "--json"],
                scenario,
                key: scenario.acme.reader
            )
            #expect(contacts.status == 0)
            let found = try #require(try contacts.json()["contacts"] as? [[String: Any]])
            // allSatisfy holds for an empty list: first prove the search found someone, then that
            // each one found matches "ann" at the start of a word of a searched field (§ ListContacts).
            #expect(!found.isEmpty, "the search for \"ann\" found nobody")
            #expect(found.allSatisfy { ($0["id"] as? String)?.isEmpty == false })
            for contact in found {
                let words = ["displayName", "givenName", "surname", "mail", "userPrincipalName"]
                    .compactMap { contact[$0] as? String }
                    .flatMap {
                        $0.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).split {
                            !$0.isLetter && !$0.isNumber
                        }
                    }
                #expect(words.contains { $0.hasPrefix("ann") }, "\(contact) does not match \"ann\"")
            }

            let jobs = try await Self.roster(["jobs", "--json"], scenario, key: scenario.acme.reader)
            let history = try #require(try jobs.json()["jobs"] as? [[String: Any]])
            // Three real syncs; the CLI's dry runs before them (to count removals) are in the history too.
            let applied = history.filter {
                (($0["summary"] as? [String: Any])?["text"] as? String)?.hasPrefix("Synchronized") == true
            }
            #expect(applied.count == 3)
            #expect(history.allSatisfy { $0["state"] as? String == "JOB_STATE_SUCCEEDED" })

            // Exit codes: 10 + the status code, with the server's message and a next step.
            let editor = try await Self.roster(
                ["sync", "--group", "UK Staff", "--yes"],
                scenario,
                key: scenario.acme.editor
            )
            #expect(editor.status == 17)
            #expect(editor.errors.contains("editors cannot synchronize users within a group; ask an admin"))
            let wrongKey = try await Self.roster(["status"], scenario, key: "rk_0000000000000000_wrong")
            #expect(wrongKey.status == 26)
            #expect(wrongKey.errors.contains("ROSTER_KEY"))
            let notConnected = try await Self.roster(["sync", "--all"], scenario, key: scenario.beta.admin)
            #expect(notConnected.status == 19)
            #expect(notConnected.errors.contains("run ConnectDirectory"))
        }
    }
}
