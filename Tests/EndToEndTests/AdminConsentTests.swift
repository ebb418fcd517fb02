import ChildProcesses
import Foundation
import GraphTestDouble
import RosterClient
import RosterRPC
import RosterWire
import Testing

/// One application for every tenant: rosterd started with the double's app as its own
/// (`--app-client-id`), tenants connecting with their directory tenant id alone, and the
/// directory's admin consent as the step between.
@Suite("End to end: the server's application and admin consent", .timeLimit(.minutes(10)))
struct AdminConsentTests {
    static let redirect = "https://roster.example.com/consented"

    /// Runs `body` with rosterd serving the double's application as its own.
    static func run(_ body: (Scenario) async throws -> Void) async throws {
        let secretFile = NSTemporaryDirectory() + "roster-app-secret-" + UUID().uuidString
        #expect(FileManager.default.createFile(atPath: secretFile, contents: Data("double-secret\n".utf8)))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretFile)
        defer { try? FileManager.default.removeItem(atPath: secretFile) }
        try await Scenario.run(
            serverArguments: [
                "--app-client-id", "roster-app", "--app-client-secret-file", secretFile,
                "--app-consent-redirect-uri", redirect,
            ],
            body
        )
    }

    /// ConnectDirectory with the directory tenant id alone.
    static func connectWithoutCredentials(_ client: RosterClient, _ scenario: Scenario) async throws
        -> ConnectDirectoryResponse
    {
        var request = ConnectDirectoryRequest()
        request.directoryTenantID = "double-tenant"
        request.authorityURL = scenario.double.baseURL
        request.graphBaseURL = scenario.double.baseURL
        return try await client.connectDirectory(request)
    }

    static func consentURL(_ scenario: Scenario) -> String {
        "\(scenario.double.baseURL)/double-tenant/adminconsent?client_id=roster-app"
            + "&redirect_uri=https%3A%2F%2Froster.example.com%2Fconsented"
    }

    @Test(
        "before consent: CONSENT_REQUIRED with the consent URL, in status too, and StartSync refused naming it; after consent the same connect authorizes and a sync is exact"
    )
    func consentFlow() async throws {
        try await Self.run { scenario in
            scenario.double.setConsented(false)
            let admin = try scenario.client(scenario.acme.admin)
            let waiting = try await Self.connectWithoutCredentials(admin, scenario)
            #expect(waiting.state == .consentRequired)
            #expect(waiting.adminConsentURL == Self.consentURL(scenario))

            let status = try await admin.getStatus()
            #expect(status.connectionState == .consentRequired)
            #expect(status.adminConsentURL == Self.consentURL(scenario))
            #expect(status.connectionErrorCode == "AADSTS700016")
            let refused = await #expect(throws: RosterError.self) {
                try await admin.startSync(Scenario.request(Scenario.allUsers()))
            }
            #expect(refused?.code == .failedPrecondition)
            #expect(refused?.message.contains(Self.consentURL(scenario)) == true)

            scenario.double.setConsented(true)
            let connected = try await Self.connectWithoutCredentials(admin, scenario)
            #expect(connected.state == .authorized)
            #expect(connected.adminConsentURL.isEmpty)
            #expect(try await admin.getStatus().adminConsentURL.isEmpty)
            let final = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(final.state == .succeeded)
            let expected = Set(scenario.directory.users.compactMap { $0["id"]?.string })
            #expect(try await scenario.contactIDs(admin).isSubset(of: expected))
            #expect(try await scenario.contactIDs(admin).count == Int(final.counters?.added ?? -1))
        }
    }

    @Test("a consent revoked later shows as CONSENT_REQUIRED with the same URL after the next sync fails")
    func revokedConsent() async throws {
        try await Self.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            #expect(try await Self.connectWithoutCredentials(admin, scenario).state == .authorized)
            scenario.double.setConsented(false)
            scenario.double.expireTokens()
            let final = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(final.state == .failed)
            let status = try await admin.getStatus()
            #expect(status.connectionState == .consentRequired)
            #expect(status.adminConsentURL == Self.consentURL(scenario))
        }
    }

    @Test("a tenant's own app registration still connects beside the server's application")
    func ownRegistration() async throws {
        try await Self.run { scenario in
            let admin = try scenario.client(scenario.beta.admin)
            let connected = try await scenario.connect(admin)
            #expect(connected.state == .authorized)
            #expect(try await admin.getStatus().adminConsentURL.isEmpty)
        }
    }

    @Test(
        "with a certificate instead of a secret (rosterd app-certificate create, --app-certificate): consent, then an exact sync; no secret is sent"
    )
    func certificateCredential() async throws {
        try await Scenario.run(
            serverArguments: ["--app-client-id", "roster-app", "--app-certificate"],
            beforeStart: { server, double in
                let made = try await ChildProcess(
                    try RosterdProcess.binaryPath(),
                    ["app-certificate", "create", "--data-dir", server.dataDirectory]
                ).run()
                #expect(made.status == 0, "\(made.errorText)")
                #expect(made.outputText.hasPrefix("-----BEGIN CERTIFICATE-----"))
                #expect(made.errorText.contains("upload the certificate"))
                double.setClientCertificate(made.outputText)
                double.setConsented(false)
            }
        ) { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            let waiting = try await Self.connectWithoutCredentials(admin, scenario)
            #expect(waiting.state == .consentRequired)
            scenario.double.setConsented(true)
            #expect(try await Self.connectWithoutCredentials(admin, scenario).state == .authorized)
            let final = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(final.state == .succeeded)
            let tokenRequests = scenario.double.requests.filter { $0.path.hasSuffix("/oauth2/v2.0/token") }
            #expect(!tokenRequests.isEmpty)
            #expect(
                tokenRequests.allSatisfy { $0.body.contains("client_assertion=") && !$0.body.contains("client_secret") }
            )
        }
    }

    @Test("--app-certificate without a pair in the data directory, or with a secret file too, is refused at start")
    func certificateConfigurationRefused() async throws {
        let missing = try await LogFormatTests.refused(["--app-client-id", "roster-app", "--app-certificate"])
        #expect(missing.status == 64)
        #expect(missing.outputText.contains("rosterd app-certificate create"))
        let both = try await LogFormatTests.refused([
            "--app-client-id", "roster-app", "--app-certificate", "--app-client-secret-file", "/nonexistent",
        ])
        #expect(both.status == 64)
        #expect(both.outputText.contains("not both"))
    }

    @Test(
        "the server's application is refused at start without its secret file, with a secret file others may read, or with a consent redirect that is not https"
    )
    func configurationRefused() async throws {
        let noFile = try await LogFormatTests.refused(["--app-client-id", "roster-app"])
        #expect(noFile.status == 64)
        #expect(noFile.outputText.contains("--app-client-secret-file"))

        let open = NSTemporaryDirectory() + "roster-app-secret-" + UUID().uuidString
        #expect(FileManager.default.createFile(atPath: open, contents: Data("s".utf8)))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: open)
        defer { try? FileManager.default.removeItem(atPath: open) }
        let readable = try await LogFormatTests.refused([
            "--app-client-id", "roster-app", "--app-client-secret-file", open,
        ])
        #expect(readable.status == 64)
        #expect(readable.outputText.contains("cannot read the application's client secret"))

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: open)
        let plainRedirect = try await LogFormatTests.refused([
            "--app-client-id", "roster-app", "--app-client-secret-file", open, "--app-consent-redirect-uri",
            "http://roster.example.com/consented",
        ])
        #expect(plainRedirect.status == 64)
        #expect(plainRedirect.outputText.contains("must be an https:// URL"))
    }

    @Test("roster connect without a client id prints the consent page and exits 6; once consented it exits 0")
    func cli() async throws {
        try await Self.run { scenario in
            scenario.double.setConsented(false)
            let environment = [
                "ROSTER_ADDRESS": "127.0.0.1:\(scenario.server.port)",
                "ROSTER_CA_FILE": scenario.server.certificatePath, "ROSTER_KEY": scenario.acme.admin, "TERM": "dumb",
            ]
            let arguments = [
                "connect", "--directory-tenant-id", "double-tenant", "--authority-url", scenario.double.baseURL,
                "--graph-url", scenario.double.baseURL,
            ]
            let roster = try CLITests.binary("roster")
            let waiting = try await ChildProcess(roster, arguments, environment: environment).run()
            #expect(waiting.status == 6, "\(waiting.errorText)")
            #expect(waiting.outputText.contains(Self.consentURL(scenario)))
            #expect(waiting.outputText.contains("Global Administrator"))
            scenario.double.setConsented(true)
            let connected = try await ChildProcess(roster, arguments, environment: environment).run()
            #expect(connected.status == 0, "\(connected.errorText)")
            #expect(connected.outputText.contains("Directory connection: authorized"))
        }
    }
}
