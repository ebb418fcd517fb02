public import ArgumentParser
internal import Foundation
internal import GraphTestDouble
internal import Logging
internal import RosterClient
internal import RosterDirectory
internal import RosterRPC
internal import RosterServer
internal import RosterStore
internal import RosterTLS
internal import RosterWire

/// `roster demo`: the whole product on the bundled demo directory, with no Microsoft tenant.
///
/// It embeds a real server (the same `RosterServer` as `rosterd`, over TLS with a generated
/// certificate, on a loopback port, in a throwaway data directory) and drives it through
/// `RosterClient` exactly as the other commands do. The directory is the bundled demo file served
/// by the Graph test double on loopback, so that the server reads it as it reads Microsoft Graph:
/// through its own multi-tenant application with a certificate credential, which the directory's
/// administrator must first grant admin consent. This is the one place the CLI links the server
/// and the double.
public struct DemoCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a throwaway server on the bundled demo directory and show a real sync.",
        discussion: """
            Starts an embedded rosterd on 127.0.0.1 with a temporary data directory and serves the \
            bundled demo directory (1,000 people, 23 groups of every kind) as Microsoft Graph does, \
            on loopback. Connects it through rosterd's own application (a certificate credential): \
            CONSENT_REQUIRED with the admin-consent page first, authorized once consent is granted. \
            Then searches groups for "uk", chooses additional attributes, syncs the group \
            "UK Staff", then all users, shows an editor refused a group sync, and prints what the \
            database holds. With --keep the server stays up for you to try other \
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
                graphBaseURL: "https://graph.microsoft.com",
                createdAt: now
            )
        )
        let admin = try await store.createAPIKey(tenant: "demo", role: .admin, label: "demo admin", now: now).token
        let editor = try await store.createAPIKey(tenant: "demo", role: .editor, label: "demo editor", now: now).token
        await store.close()

        // rosterd's own application, with the certificate credential `rosterd app-certificate
        // create` makes; the directory knows the certificate (as if uploaded to the app
        // registration) but has not granted the application consent yet.
        let certificate = try ApplicationCertificate.create(directory: directory)
        let double = try Self.demoDirectory(certificate: certificate)
        _ = try await double.start()
        defer { Task { try? await double.stop() } }

        var settings = RosterServerConfiguration(dataDirectory: directory)
        settings.port = port
        settings.allowedDirectoryHosts = ["127.0.0.1"]
        settings.application = .init(
            clientID: Self.applicationID,
            certificate: certificate,
            consentRedirectURI: "https://roster.example.com/consented"
        )
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
            console.print(
                "  the demo directory served as Microsoft Graph and Entra ID serve it, at \(double.baseURL)"
            )
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
            try await connect(adminClient, double: double, console: console)
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

    /// The application id of the demo's rosterd.
    static let applicationID = "5d1c3a2b-7e4f-4a6b-9c8d-0e1f2a3b4c5d"
    /// The demo directory's tenant id.
    static let directoryTenantID = "8f3e2d1c-0b9a-4c7d-8e6f-5a4b3c2d1e0f"

    /// The bundled demo directory behind a Graph double that knows rosterd's application and its
    /// certificate, and has not consented to it.
    static func demoDirectory(certificate: ApplicationCertificate) throws -> GraphDouble {
        guard let url = FileDirectory.demoURL else {
            throw CLIFailure("the demo directory is missing from this build", exitCode: RosterExitCode.failure)
        }
        var configuration = GraphDouble.Configuration()
        configuration.tenantID = directoryTenantID
        configuration.clientID = applicationID
        configuration.clientSecret = UUID().uuidString  // unknown to rosterd: the certificate it is
        configuration.clientCertificatePEM = certificate.certificatePEM
        configuration.consented = false
        return GraphDouble(directory: try GraphDoubleDirectory(contentsOf: url), configuration: configuration)
    }

    /// Steps 1 and 2: the directory's tenant id alone, CONSENT_REQUIRED, then consent and a
    /// connection that authorizes.
    private func connect(_ admin: RosterClient, double: GraphDouble, console: Console) async throws {
        console.print("\n1. Connect the directory: its tenant id alone, through rosterd's own application (admin key)")
        var connect = ConnectDirectoryRequest()
        connect.directoryTenantID = Self.directoryTenantID
        connect.authorityURL = double.baseURL
        connect.graphBaseURL = double.baseURL
        let waiting = try await admin.connectDirectory(connect)
        guard waiting.state == .consentRequired else {
            throw CLIFailure(
                "the directory was \(TextFormat.name(waiting.state)) before consent, not consent_required",
                exitCode: RosterExitCode.failure
            )
        }
        console.print("   \(TextFormat.name(waiting.state)): a Global Administrator of the directory opens")
        console.print("   \(waiting.adminConsentURL)")
        console.print("   and grants the application its read permissions (`roster connect` prints the same)")

        console.print("\n2. The administrator grants consent (the demo directory does it now); connect again")
        double.setConsented(true)
        let connected = try await admin.connectDirectory(connect)
        console.print(
            "   \(TextFormat.name(connected.state)): permissions \(connected.grantedPermissions.joined(separator: ", ")); \(connected.groupsCached) mail-enabled security groups cached"
        )
        guard connected.state == .authorized else {
            throw CLIFailure("the directory did not authorize after consent", exitCode: RosterExitCode.failure)
        }
    }

    /// The demo's steps after the connection, each printed as it happens.
    private func tour(admin: RosterClient, editor: RosterClient, console: Console) async throws {
        let watcher = ProgressWatcher(console: console, json: false)

        console.print("\n3. Type-ahead search for groups: \"uk\"")
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

        console.print("\n5. Sync the group \"UK Staff\" (nested inside it: London Office, uk-london)")
        var groupSync = StartSyncRequest()
        groupSync.scope = SyncScope.group(id: ukStaff.id, displayName: ukStaff.displayName)
        let first = try await admin.startSync(groupSync)
        _ = try await watcher.watch(admin, jobID: first.job?.id ?? "")

        console.print("\n6. Sync all users (member accounts; guests and disabled accounts are left out)")
        var allSync = StartSyncRequest()
        allSync.scope = .allUsers
        let second = try await admin.startSync(allSync)
        _ = try await watcher.watch(admin, jobID: second.job?.id ?? "")

        console.print("\n7. An editor tries to sync a group")
        do {
            groupSync.acknowledgeRemovals = true
            _ = try await editor.startSync(groupSync)
            throw CLIFailure("the editor's group sync was not refused", exitCode: RosterExitCode.failure)
        } catch let error as RPCError where error.code == .permissionDenied {
            console.print("   refused, PERMISSION_DENIED: \(error.message)")
        }

        console.print("\n8. What the database holds")
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

    /// Step 4: more attributes than the contact fields, an unknown name refused first.
    private func chooseAttributes(_ admin: RosterClient, console: Console) async throws {
        console.print("\n4. Choose additional attributes: standard Graph properties and a schema extension")
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
