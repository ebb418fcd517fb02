public import ArgumentParser
internal import Foundation
internal import Logging
internal import RosterClient
internal import RosterRPC
internal import RosterServer
internal import RosterStore
internal import RosterWire

/// `roster demo`: the whole product on the bundled demo directory, with no Microsoft tenant.
///
/// It embeds a real server (the same `RosterServer` as `rosterd`, over TLS with a generated
/// certificate, on a loopback port, in a throwaway data directory) and drives it through
/// `RosterClient` exactly as the other commands do. This is the one place the CLI links the server.
public struct DemoCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a throwaway server on the bundled demo directory and show a real sync.",
        discussion: """
            Starts an embedded rosterd on 127.0.0.1 with a temporary data directory, connects the \
            bundled demo directory (1,000 people, 23 groups of every kind), searches groups for "uk", \
            syncs the group "UK Staff", then all users, shows an editor refused a group sync, and \
            prints what the database holds. With --keep the server stays up for you to try other \
            commands (the environment to use is printed); stop it with Ctrl-C.
            """
    )

    @Flag(help: "Keep the server running after the demo, until Ctrl-C.")
    var keep = false

    @Option(help: "Listen on this loopback port (default: a free one).")
    var port = 0

    public init() {}

    public func run() async throws {
        let console = Console.standard(environment: ProcessInfo.processInfo.environment)
        let clock = ContinuousClock()
        let began = clock.now
        let directory = NSTemporaryDirectory() + "roster-demo-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // A tenant and its keys, made as `rosterd tenants add` / `keys create` would.
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(configuration: .init(directory: directory))
        let now = Int64(Date().timeIntervalSince1970 * 1_000)
        try await store.createTenant(
            TenantRecord(
                id: "demo",
                displayName: "Demo Ltd",
                authorityURL: "https://login.microsoftonline.com",
                graphBaseURL: "demo:",
                createdAt: now
            )
        )
        let admin = try await store.createAPIKey(tenant: "demo", role: .admin, label: "demo admin", now: now).token
        let editor = try await store.createAPIKey(tenant: "demo", role: .editor, label: "demo editor", now: now).token
        await store.close()

        var settings = RosterServerConfiguration(dataDirectory: directory)
        settings.port = port
        settings.allowFileDirectories = true
        settings.rpc.gracePeriod = .seconds(1)
        var logger = Logger(label: "rosterd")
        logger.logLevel = .error
        let server = RosterServer(configuration: settings, logger: logger)
        let started = try await server.start()
        do {
            console.print(
                "Roster demo: a throwaway rosterd with the bundled demo directory (no Microsoft tenant needed)"
            )
            console.print("  rosterd listening on \(started.hostAndPort), TLS with a generated certificate")
            console.print("  SHA-256 fingerprint \(started.certificateFingerprint ?? "?")")
            console.print("  data directory \(directory) (deleted at the end)")
            let caFile = started.certificatePath ?? ""
            func client(_ key: String) throws -> RosterClient {
                try RosterClient(
                    configuration: RosterClientConfiguration(
                        host: "127.0.0.1",
                        port: started.port,
                        security: .tlsTrusting(caFile: caFile),
                        apiKey: key
                    )
                )
            }
            let adminClient = try client(admin)
            let editorClient = try client(editor)
            defer {
                Task {
                    await adminClient.close()
                    await editorClient.close()
                }
            }
            try await tour(admin: adminClient, editor: editorClient, console: console)
            let elapsed = clock.now - began
            console.print("")
            console.print(
                "Demo finished in \(TextFormat.seconds(ms: Int64(elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000)))."
            )
            if keep {
                console.print("")
                console.print("The server stays up; in another terminal try:")
                console.print(
                    "  export ROSTER_ADDRESS=\(started.hostAndPort) ROSTER_CA_FILE=\(caFile) ROSTER_KEY=\(admin)"
                )
                console.print(
                    "  roster status; roster groups eu; roster contacts --search ann; roster sync --group \"Europe Staff\""
                )
                console.print("Stop it with Ctrl-C.")
                try await waitForInterrupt()
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    /// The demo's steps, each printed as it happens.
    private func tour(admin: RosterClient, editor: RosterClient, console: Console) async throws {
        let watcher = ProgressWatcher(console: console, json: false)

        console.print("\n1. Connect the directory (admin key)")
        var connect = ConnectDirectoryRequest()
        connect.graphBaseURL = "demo:"
        let connected = try await admin.connectDirectory(connect)
        console.print(
            "   \(TextFormat.name(connected.state)): permissions \(connected.grantedPermissions.joined(separator: ", ")); \(connected.groupsCached) mail-enabled security groups cached"
        )

        console.print("\n2. Type-ahead search for groups: \"uk\"")
        let groups = try await admin.listGroups(query: "uk").groups
        TextFormat.table(["group", "mail"], groups.map { [$0.displayName, $0.mail.isEmpty ? "-" : $0.mail] }).forEach {
            console.print("   " + $0)
        }
        console.print(
            "   (the distribution list \"UK Newsletter\" and the Microsoft 365 group \"UK Marketing Team\" are not offered)"
        )
        guard let ukStaff = groups.first(where: { $0.displayName == "UK Staff" }) else {
            throw CLIFailure("the demo directory has no \"UK Staff\" group", exitCode: RosterExitCode.failure)
        }

        try await chooseAttributes(admin, console: console)

        console.print("\n4. Sync the group \"UK Staff\" (nested inside it: London Office, uk-london)")
        var groupSync = StartSyncRequest()
        groupSync.scope = SyncScope.group(id: ukStaff.id, displayName: ukStaff.displayName)
        let first = try await admin.startSync(groupSync)
        _ = try await watcher.watch(admin, jobID: first.job?.id ?? "")

        console.print("\n5. Sync all users (member accounts; guests and disabled accounts are left out)")
        var allSync = StartSyncRequest()
        allSync.scope = .allUsers
        let second = try await admin.startSync(allSync)
        _ = try await watcher.watch(admin, jobID: second.job?.id ?? "")

        console.print("\n6. An editor tries to sync a group")
        do {
            groupSync.acknowledgeRemovals = true
            _ = try await editor.startSync(groupSync)
            throw CLIFailure("the editor's group sync was not refused", exitCode: RosterExitCode.failure)
        } catch let error as RPCError where error.code == .permissionDenied {
            console.print("   refused, PERMISSION_DENIED: \(error.message)")
        }

        console.print("\n7. What the database holds")
        let status = try await admin.getStatus()
        console.print(
            "   \(TextFormat.count(status.contactCount)) contacts, saved scope: \(TextFormat.scope(status.savedScope))"
        )
        var page = ListContactsRequest()
        page.pageSize = 5
        page.search = "an"
        let sample = try await admin.listContacts(page)
        console.print("   \(TextFormat.count(sample.total)) match \"an\"; the first five:")
        TextFormat.table(
            ["name", "job title", "mail", "city"],
            sample.contacts.map {
                [
                    $0.displayName, $0.jobTitle.isEmpty ? "-" : $0.jobTitle, $0.mail.isEmpty ? "-" : $0.mail,
                    $0.city.isEmpty ? "-" : $0.city,
                ]
            }
        ).forEach { console.print("   " + $0) }
        if let someone = sample.contacts.first(where: { !$0.attributes.isEmpty }) {
            console.print("   \(someone.displayName)'s additional attributes:")
            TextFormat.labelled(
                someone.attributes.sorted { $0.key < $1.key }.map {
                    ($0.key, $0.value.split(separator: "\n").joined(separator: ", "))
                }
            ).forEach { console.print("     " + $0) }
        }
        let jobs = try await admin.listSyncJobs().jobs
        console.print("   job history:")
        for job in jobs.reversed() {
            console.print(
                "   - \(TextFormat.scope(job.scope)), \(TextFormat.name(job.mode)), \(TextFormat.name(job.state)): \(job.summary?.text ?? job.errorMessage)"
            )
        }
    }

    /// Step 3: more attributes than the contact fields, an unknown name refused first.
    private func chooseAttributes(_ admin: RosterClient, console: Console) async throws {
        console.print("\n3. Choose additional attributes: standard Graph properties and a schema extension")
        var refused = UpdateSettingsRequest()
        refused.attributes = AttributeList(["employeeId", "shoeSize"])
        do {
            _ = try await admin.updateSettings(refused)
            throw CLIFailure("the unknown property shoeSize was not refused", exitCode: RosterExitCode.failure)
        } catch let error as RPCError where error.code == .invalidArgument {
            console.print("   refused, INVALID_ARGUMENT: \(error.message.prefix { $0 != "(" })…")
        }
        var request = UpdateSettingsRequest()
        request.attributes = AttributeList([
            "employeeId", "employeeType", "otherMails", "extension_0f2a9c4e8b7d4e1fa3c65d2b9e8f7a61_costCentre",
        ])
        let saved = try await admin.updateSettings(request)
        console.print("   syncing: \(saved.settings?.attributes.joined(separator: ", ") ?? "")")
    }

    /// Returns when SIGINT or SIGTERM arrives.
    private func waitForInterrupt() async throws {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { continuation.yield() }
            source.resume()
            return source
        }
        for await _ in stream { break }
        sources.forEach { $0.cancel() }
    }
}
