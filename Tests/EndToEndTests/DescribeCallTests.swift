import ChildProcesses
import Foundation
import RosterWire
import Testing

/// `roster describe` and `roster call` against a real rosterd: the schema read by the reflection
/// call, any method called with JSON, a stream as JSON Lines, refusals as exit codes.
@Suite("End to end: roster describe and roster call", .serialized, .timeLimit(.minutes(10)))
struct DescribeCallTests {
    static func roster(_ arguments: [String], _ scenario: Scenario, key: String, input: String? = nil)
        async throws -> CLITests.Run
    {
        let environment = [
            "ROSTER_ADDRESS": "127.0.0.1:\(scenario.server.port)", "ROSTER_CA_FILE": scenario.server.certificatePath,
            "ROSTER_KEY": key, "TERM": "dumb",
        ]
        let process = ChildProcess(
            try CLITests.binary("roster"),
            arguments,
            environment: environment,
            input: input.map { Data($0.utf8) }
        )
        let run = try await process.run()
        return CLITests.Run(status: run.status, output: run.outputText, errors: run.errorText)
    }

    @Test("roster describe lists every declared call; a method shows its signature and messages; no key is 26")
    func describe() async throws {
        try await Scenario.run { scenario in
            let listed = try await Self.roster(["describe", "--json"], scenario, key: scenario.acme.reader)
            #expect(listed.status == 0, "\(listed.errors)")
            let services = try #require(try listed.json()["services"] as? [[String: Any]])
            let paths = services.flatMap {
                ($0["methods"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
            }
            #expect(paths == (RosterMethods.all + HealthMethods.all + ReflectionMethods.all).map(\.path))

            let text = try await Self.roster(["describe"], scenario, key: scenario.acme.reader)
            #expect(
                text.lines.contains(
                    "  rpc WatchProgress(roster.v1.WatchProgressRequest) returns (stream roster.v1.ProgressUpdate);"
                )
            )

            let method = try await Self.roster(
                ["describe", "roster.v1.Roster.StartSync"],
                scenario,
                key: scenario.acme.reader
            )
            #expect(method.status == 0, "\(method.errors)")
            #expect(method.lines.first == "// /roster.v1.Roster/StartSync")
            #expect(
                method.lines.contains(
                    "rpc StartSync(roster.v1.StartSyncRequest) returns (roster.v1.StartSyncResponse);"
                )
            )
            #expect(method.lines.contains("  roster.v1.SyncScope scope = 1;"))
            #expect(method.lines.contains("message StartSyncResponse {"))

            let unknown = try await Self.roster(["describe", "Nope"], scenario, key: scenario.acme.reader)
            #expect(unknown.status == 64)
            #expect(unknown.errors.contains("no service, method, message or enum named \"Nope\""))

            let anonymous = try await Self.roster(["describe"], scenario, key: "")
            #expect(anonymous.status == 26, "reflection needs a key: \(anonymous.errors)")
        }
    }

    @Test("roster call: GetStatus as JSON, a request from standard input, WatchProgress as JSON Lines")
    func call() async throws {
        try await Scenario.run { scenario in
            let status = try await Self.roster(
                ["call", "roster.v1.Roster/GetStatus", "{}"],
                scenario,
                key: scenario.acme.reader
            )
            #expect(status.status == 0, "\(status.errors)")
            let json = try status.json()
            #expect(json["tenantId"] as? String == "acme")
            #expect(json["callerRole"] as? String == "ROLE_READER")

            let admin = try scenario.client(scenario.acme.admin)
            _ = try await scenario.connect(admin)
            let final = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(final.state == .succeeded)

            let jobs = try await Self.roster(
                ["call", "ListSyncJobs", "-"],
                scenario,
                key: scenario.acme.reader,
                input: #"{"limit": 1}"#
            )
            #expect(jobs.status == 0, "\(jobs.errors)")
            let job = try #require((try jobs.json()["jobs"] as? [[String: Any]])?.first)
            #expect(job["id"] as? String == final.jobID)
            #expect(job["state"] as? String == "JOB_STATE_SUCCEEDED")
            #expect(job["createdUnixMs"] is String, "int64 is a string in proto3 JSON")

            let watched = try await Self.roster(
                ["call", "WatchProgress", #"{"jobId":"\#(final.jobID)"}"#],
                scenario,
                key: scenario.acme.reader
            )
            #expect(watched.status == 0, "\(watched.errors)")
            #expect(!watched.lines.isEmpty)
            for line in watched.lines {
                #expect(
                    (try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any],
                    "not one JSON object: \(line)"
                )
            }
            let last = try #require(
                try JSONSerialization.jsonObject(with: Data(watched.lines.last!.utf8)) as? [String: Any]
            )
            #expect(last["final"] as? Bool == true)
            #expect(last["jobId"] as? String == final.jobID)
        }
    }

    @Test("roster call: a refusal exits 10 + code with the request id; bad JSON and unknown methods exit 64")
    func refusals() async throws {
        try await Scenario.run { scenario in
            let refused = try await Self.roster(
                ["call", "StartSync", #"{"scope":{"kind":"SCOPE_KIND_GROUP","groupId":"g"}}"#],
                scenario,
                key: scenario.acme.reader
            )
            #expect(refused.status == 17, "\(refused.errors)")
            #expect(refused.errors.contains("a reader key may not"))
            #expect(refused.errors.contains("request id: "))

            let badJSON = try await Self.roster(["call", "GetStatus", "{"], scenario, key: scenario.acme.reader)
            #expect(badJSON.status == 64)
            #expect(badJSON.errors.contains("the request is not valid JSON"))

            let badField = try await Self.roster(
                ["call", "ListContacts", #"{"pageSize":"many"}"#],
                scenario,
                key: scenario.acme.reader
            )
            #expect(badField.status == 64)
            #expect(badField.errors.contains("pageSize: expected a whole number for int32"))

            let unknown = try await Self.roster(
                ["call", "roster.v1.Roster/Nope", "{}"],
                scenario,
                key: scenario.acme.reader
            )
            #expect(unknown.status == 64)
            #expect(unknown.errors.contains("`roster describe` lists the services"))
        }
    }
}
