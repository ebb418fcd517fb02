import ChildProcesses
import Foundation
import NIOCore
import RosterRPC
import RosterWire
import Synchronization
import Testing

/// Runs the built `roster` binary against a scripted roster.v1.Roster server on loopback (not
/// rosterd: that comes with the server) and checks what an operator or a script sees: standard
/// output line by line, standard error, exit codes. Standard output is a pipe, so progress comes
/// out as plain lines.
@Suite struct BinaryRunTests {
    /// What the scripted server was asked.
    final class Calls: Sendable {
        let startSyncs = Mutex<[StartSyncRequest]>([])
    }

    static let groups: [Group] = [
        group("Europe Sales", id: "g-eu-sales", mail: "eu-sales@contoso.com"),
        group("Europe Staff", id: "g-eu", mail: "europe@contoso.com"),
        group("UK Staff", id: "g-uk", mail: "uk@contoso.com"),
    ]

    static func group(_ name: String, id: String, mail: String) -> Group {
        var group = Group()
        group.id = id
        group.displayName = name
        group.mail = mail
        group.kind = .mailEnabledSecurity
        return group
    }

    static func update(
        _ state: JobState,
        _ phase: SyncPhase,
        fetched: Int64,
        total: Int64,
        percent: Float,
        eta: Int64 = 0,
        final: Bool = false
    ) -> ProgressUpdate {
        var update = ProgressUpdate()
        update.jobID = "job-1"
        update.state = state
        update.phase = phase
        var counters = ProgressCounters()
        counters.fetched = fetched
        counters.total = total
        counters.added = final ? 2 : 0
        update.counters = counters
        update.percent = percent
        update.etaMs = eta
        update.final = final
        return update
    }

    /// The updates the server streams for a job ending in `end`: a duplicate differing only in ETA included.
    static func script(ending end: JobState) -> [ProgressUpdate] {
        var last = update(end, .applying, fetched: 4, total: 4, percent: 100, final: true)
        if end == .succeeded {
            var summary = ConfirmationSummary()
            summary.text = "Synchronized 4 contacts (2 added, 0 updated, 0 removed) in 0.1 s"
            last.summary = summary
        } else {
            last.errorCode = "throttled"
            last.errorMessage = "Microsoft Graph kept throttling; try again later"
        }
        return [
            update(.running, .fetching, fetched: 2, total: 4, percent: 50, eta: 900),
            update(.running, .fetching, fetched: 2, total: 4, percent: 50, eta: 800),
            update(.running, .applying, fetched: 4, total: 4, percent: 100),
            last,
        ]
    }

    /// The scripted contact u-1's photo: bytes that are not UTF-8, with a NUL.
    static let photoBytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF, 0xFE]

    static func server(_ calls: Calls, ending end: JobState = .succeeded) throws -> RPCServer {
        var router = RPCRouter()
        let service = "/roster.v1.Roster/"
        @Sendable func checkKey(_ context: RPCServerContext) throws {
            guard context.metadata["authorization"] == "Bearer test-key" else {
                throw RPCError(.unauthenticated, "unknown API key")
            }
        }
        router.unary(service + "ListGroups", ListGroupsRequest.self, ListGroupsResponse.self) { request, context in
            try checkKey(context)
            var response = ListGroupsResponse()
            response.groups = groups.filter { $0.displayName.lowercased().hasPrefix(request.query.lowercased()) }
            return response
        }
        router.unary(service + "StartSync", StartSyncRequest.self, StartSyncResponse.self) { request, context in
            try checkKey(context)
            calls.startSyncs.withLock { $0.append(request) }
            var response = StartSyncResponse()
            if request.dryRun {
                var plan = DryRunPlan()
                plan.toAdd = 2
                plan.toRemove = request.scope?.kind == .group ? 3 : 0
                response.plan = plan
                return response
            }
            if request.scope?.kind == .group && !request.acknowledgeRemovals {
                throw RPCError(.failedPrecondition, "this sync would remove 3 contacts; acknowledge the removals")
            }
            var job = SyncJob()
            job.id = "job-1"
            job.scope = request.scope
            job.state = .queued
            response.job = job
            return response
        }
        router.unary(service + "GetContactPhoto", GetContactPhotoRequest.self, GetContactPhotoResponse.self) {
            request,
            context in
            try checkKey(context)
            guard case .id("u-1") = request.lookup else {
                throw RPCError(.notFound, "no contact with \(request.lookup.map { "\($0)" } ?? "?")")
            }
            var response = GetContactPhotoResponse()
            response.etag = "\"E1\""
            if request.ifNoneMatch == response.etag {
                response.notModified = true
            } else {
                response.photo = photoBytes
                response.contentType = "image/png"
            }
            return response
        }
        router.serverStreaming(service + "WatchProgress", WatchProgressRequest.self, ProgressUpdate.self) {
            request,
            writer,
            context in
            try checkKey(context)
            guard request.jobID.isEmpty || request.jobID == "job-1" else {
                throw RPCError(.notFound, "no sync job \(request.jobID)")
            }
            for update in script(ending: end) { try await writer.write(update) }
        }
        return try RPCServer(configuration: .init(host: "127.0.0.1", port: 0, tls: nil), router: router)
    }

    /// Runs `body` with the port of a scripted server, then shuts the server down.
    static func withServer(_ calls: Calls, ending end: JobState = .succeeded, _ body: (Int) async throws -> Void)
        async throws
    {
        let server = try server(calls, ending: end)
        let port = try await server.start().port!
        do {
            try await body(port)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    struct Run {
        var status: Int32
        var output: [String]
        var errors: [String]
    }

    /// Runs `roster ARGUMENTS --plaintext` with the server's address and key in the environment.
    static func roster(_ arguments: [String], port: Int, key: String = "test-key") async throws -> Run {
        try await run(
            arguments + ["--plaintext"],
            environment: ["ROSTER_ADDRESS": "127.0.0.1:\(port)", "ROSTER_KEY": key, "TERM": "dumb"]
        )
    }

    /// Runs the built `roster` with exactly `arguments` and `environment`, no standard input.
    static func run(_ arguments: [String], environment: [String: String]) async throws -> Run {
        let run = try await ChildProcess(try binaryPath(), arguments, environment: environment).run()
        func lines(_ text: String) -> [String] {
            // Every line ends in a newline; nothing after the last one.
            text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
        return Run(status: run.status, output: lines(run.outputText), errors: lines(run.errorText))
    }

    /// The `roster` executable built beside the test binary (the test target depends on it).
    static func binaryPath() throws -> String {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("roster").path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        throw RPCError(
            .notFound,
            "roster was not found beside \(CommandLine.arguments[0]); run `swift build --product roster` first"
        )
    }

    @Test(
        "roster demo: connecting asks for admin consent first, with the consent page; after consent it authorizes and both syncs run"
    )
    func demoShowsTheConsentStep() async throws {
        let run = try await Self.run(["demo"], environment: ["TERM": "dumb"])
        #expect(run.status == 0, "\(run.errors)")
        let output = run.output
        let waiting = try #require(output.firstIndex { $0.hasPrefix("   consent_required: ") }, "\(output)")
        let url = try #require(output.dropFirst(waiting + 1).first)
        #expect(
            url.hasSuffix(
                "/8f3e2d1c-0b9a-4c7d-8e6f-5a4b3c2d1e0f/adminconsent?client_id=5d1c3a2b-7e4f-4a6b-9c8d-0e1f2a3b4c5d"
                    + "&redirect_uri=https%3A%2F%2Froster.example.com%2Fconsented"
            ),
            "\(url)"
        )
        let authorized = try #require(output.firstIndex { $0.hasPrefix("   authorized: permissions ") }, "\(output)")
        #expect(authorized > waiting)
        #expect(output.filter { $0.hasPrefix("Synchronized ") }.count == 2, "\(output)")
        #expect(output.contains { $0.hasPrefix("   refused, PERMISSION_DENIED: ") })
        #expect(output.last?.hasPrefix("Demo finished in ") == true)
    }

    @Test func watchPrintsOneLinePerChangeThenTheSummary() async throws {
        try await Self.withServer(Calls()) { port in
            let run = try await Self.roster(["watch", "job-1"], port: port)
            #expect(run.status == 0)
            #expect(
                run.output == [
                    "phase=fetching state=running fetched=2 total=4 added=0 updated=0 removed=0 percent=50 eta_ms=900 throttle_wait_ms=0",
                    "phase=applying state=running fetched=4 total=4 added=0 updated=0 removed=0 percent=100 eta_ms=0 throttle_wait_ms=0",
                    "phase=applying state=succeeded fetched=4 total=4 added=2 updated=0 removed=0 percent=100 eta_ms=0 throttle_wait_ms=0",
                    "Synchronized 4 contacts (2 added, 0 updated, 0 removed) in 0.1 s",
                ]
            )
            #expect(run.errors.isEmpty)
        }
    }

    @Test func watchJSONWritesEveryUpdate() async throws {
        try await Self.withServer(Calls()) { port in
            let run = try await Self.roster(["watch", "--json"], port: port)
            #expect(run.status == 0)
            #expect(run.output.count == 4)
            let objects = try run.output.map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(objects.map { $0["jobId"] as? String } == Array(repeating: "job-1", count: 4))
            #expect(objects.map { $0["etaMs"] as? Int } == [900, 800, 0, 0])
            #expect(objects.last?["state"] as? String == "JOB_STATE_SUCCEEDED")
            #expect(objects.last?["final"] as? Bool == true)
            #expect(
                (objects.last?["summary"] as? [String: Any])?["text"] as? String
                    == "Synchronized 4 contacts (2 added, 0 updated, 0 removed) in 0.1 s"
            )
        }
    }

    @Test func failedJobExitsThree() async throws {
        try await Self.withServer(Calls(), ending: .failed) { port in
            let run = try await Self.roster(["watch"], port: port)
            #expect(run.status == 3)
            #expect(
                run.errors == [
                    "error: sync job job-1 failed (throttled): Microsoft Graph kept throttling; try again later"
                ]
            )
            #expect(run.output.last?.hasPrefix("phase=applying state=failed") == true)
        }
    }

    @Test func wrongKeyExitsTwentySixWithAHint() async throws {
        try await Self.withServer(Calls()) { port in
            let run = try await Self.roster(["groups", "UK"], port: port, key: "wrong")
            #expect(run.status == 26)
            #expect(
                run.errors.dropLast() == [
                    "error: unknown API key", "hint: check the API key: ROSTER_KEY / --key / --key-file",
                ]
            )
            // The server's generated request id, to find the call in its log.
            let requestID = try #require(run.errors.last?.wholeMatch(of: /request id: ([0-9a-f]{16})/))
            #expect(requestID.1.count == 16)
            #expect(run.output.isEmpty)
        }
    }

    @Test func groupSyncWithRemovalsNeedsYesWithoutATerminal() async throws {
        let calls = Calls()
        try await Self.withServer(calls) { port in
            let refused = try await Self.roster(["sync", "--group", "uk staff"], port: port)
            #expect(refused.status == 64)
            #expect(
                refused.errors.first
                    == "error: This sync will remove 3 contacts (people outside UK Staff will lose their data). Not confirmed."
            )
            #expect(calls.startSyncs.withLock { $0.map(\.dryRun) } == [true])

            let run = try await Self.roster(["sync", "--group", "UK Staff", "--yes"], port: port)
            #expect(run.status == 0)
            #expect(run.output.first == "Started sync job job-1 (group UK Staff (g-uk)).")
            #expect(run.output.last == "Synchronized 4 contacts (2 added, 0 updated, 0 removed) in 0.1 s")
            let real = try #require(calls.startSyncs.withLock { $0.last })
            #expect(!real.dryRun && real.acknowledgeRemovals && real.scope?.groupID == "g-uk")
        }
    }

    @Test func dryRunJSONPrintsThePlanAndStartsNothing() async throws {
        let calls = Calls()
        try await Self.withServer(calls) { port in
            let run = try await Self.roster(["sync", "--all", "--dry-run", "--json"], port: port)
            #expect(run.status == 0)
            #expect(run.output.count == 1)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data((run.output.first ?? "").utf8)) as? [String: Any]
            )
            #expect(object["alreadyRunning"] as? Bool == false)
            let plan = try #require(object["plan"] as? [String: Any])
            #expect(plan["toAdd"] as? Int == 2)
            #expect(plan["toRemove"] as? Int == 0)
            #expect(plan["sample"] as? [Any] != nil)
            let requests = calls.startSyncs.withLock { $0 }
            #expect(requests.count == 1 && requests[0].dryRun && requests[0].scope?.kind == .allUsers)
        }
    }

    @Test func ambiguousGroupIsListedNotGuessed() async throws {
        let calls = Calls()
        try await Self.withServer(calls) { port in
            let run = try await Self.roster(["sync", "--group", "Europe"], port: port)
            #expect(run.status == 64)
            #expect(run.errors.contains("error: \"Europe\" could mean several groups:"))
            #expect(
                run.errors.contains { $0.contains("1.") && $0.contains("Europe Sales") && $0.contains("g-eu-sales") }
            )
            #expect(run.errors.contains { $0.contains("2.") && $0.contains("Europe Staff") })
            #expect(calls.startSyncs.withLock { $0.isEmpty })
            let none = try await Self.roster(["sync", "--group", "Finance"], port: port)
            #expect(none.status == 64)
            #expect(
                none.errors == [
                    "error: no mail-enabled security group matches \"Finance\"", "hint: try `roster groups TEXT`",
                ]
            )
        }
    }

    @Test func noServerExitsTwentyFour() async throws {
        // Nothing listens on loopback port 1.
        let run = try await Self.roster(["status"], port: 1)
        #expect(run.status == 24)
        #expect(
            run.errors.last
                == "hint: is rosterd running at 127.0.0.1:1? check --address / ROSTER_ADDRESS (and --ca-file / ROSTER_CA_FILE for TLS)"
        )
    }

    @Test("roster photo writes the image to a file, says not modified for the current etag, exits 15 for none")
    func photo() async throws {
        try await Self.withServer(Calls()) { port in
            let file = NSTemporaryDirectory() + "roster-photo-\(UUID().uuidString).png"
            defer { try? FileManager.default.removeItem(atPath: file) }
            let saved = try await Self.roster(["photo", "u-1", "--output", file], port: port)
            #expect(saved.status == 0, "\(saved.errors)")
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: file))) == Self.photoBytes)
            #expect(
                saved.output.map { $0.replacingOccurrences(of: " ", with: "") } == [
                    "Contenttype:image/png", "Size:11bytes", "Etag:\"E1\"", "Writtento:\(file)",
                ]
            )

            let cached = try await Self.roster(
                ["photo", "u-1", "-o", file + ".2", "--if-none-match", "\"E1\""],
                port: port
            )
            #expect(cached.status == 0 && cached.output == ["Not modified (etag \"E1\")."])
            #expect(!FileManager.default.fileExists(atPath: file + ".2"), "nothing written when not modified")

            let json = try await Self.roster(["photo", "u-1", "--json"], port: port)
            #expect(json.status == 0)
            #expect(json.output.first?.contains(#""photo":"iVBORw0KGgoA//4=""#) == true, "\(json.output)")

            let missing = try await Self.roster(["photo", "nobody@contoso.example"], port: port)
            #expect(missing.status == 15, "NOT_FOUND after both the mail and the userPrincipalName lookups")
            #expect(missing.errors.first?.hasPrefix("error: ") == true)
        }
    }
}
