internal import ArgumentParser
internal import RosterClient
internal import RosterWire

/// `roster connect`: verify and store the tenant's Microsoft Graph credentials (ConnectDirectory).
struct ConnectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Connect the tenant's Microsoft 365 directory (admin).",
        discussion: """
            The client secret comes from --client-secret-file, else --client-secret, else the \
            environment variable ROSTER_CLIENT_SECRET. --client-secret VALUE is refused unless \
            --allow-secret-argument is also given: a secret on the command line is kept in shell history and visible to every \
            user through ps. --directory-tenant-id and --client-id may also come from \
            ROSTER_DIRECTORY_TENANT_ID and ROSTER_CLIENT_ID.

            Without --client-id and a secret, the tenant connects through the server's own             application (rosterd serve --app-client-id). Until a Global Administrator of the             directory has granted it admin consent, the answer is CONSENT_REQUIRED with the consent             page to open (exit code 6); after consent, run roster connect again.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(
        help: ArgumentHelp(
            "The Entra ID (directory) tenant id or verified domain (env ROSTER_DIRECTORY_TENANT_ID).",
            valueName: "id"
        )
    )
    var directoryTenantId: String?

    @Option(
        help: ArgumentHelp(
            "The application (client) id of the tenant's own app registration (env ROSTER_CLIENT_ID); leave out to use the server's application.",
            valueName: "id"
        )
    )
    var clientId: String?

    @Option(help: ArgumentHelp("Read the client secret from this file.", valueName: "path"))
    var clientSecretFile: String?

    @Option(help: ArgumentHelp("The client secret itself; needs --allow-secret-argument.", valueName: "secret"))
    var clientSecret: String?

    @Flag(help: "Accept --client-secret although it leaks into shell history and ps.")
    var allowSecretArgument = false

    @Option(help: ArgumentHelp("Token authority (default https://login.microsoftonline.com).", valueName: "url"))
    var authorityUrl: String?

    @Option(help: ArgumentHelp("Microsoft Graph base URL (default https://graph.microsoft.com).", valueName: "url"))
    var graphUrl: String?

    @Option(
        help:
            "OAuth scope of the directory's tokens (default: derived from the Graph URL; a proxy sets the scope of the Graph it fronts)."
    )
    var tokenScope: String?

    func validate() throws {
        if clientSecret != nil && !allowSecretArgument {
            throw ValidationError(
                """
                refusing --client-secret: a secret given as an argument is kept in shell history and shown by ps. \
                Use --client-secret-file PATH or the environment variable ROSTER_CLIENT_SECRET, \
                or add --allow-secret-argument if you accept that.
                """
            )
        }
        if clientSecret != nil && clientSecretFile != nil {
            throw ValidationError("pass only one of --client-secret-file and --client-secret")
        }
    }

    /// The ConnectDirectory request from the options and `environment`.
    func request(environment: [String: String]) throws(CLIFailure) -> ConnectDirectoryRequest {
        var request = ConnectDirectoryRequest()
        guard let tenant = nonEmpty(directoryTenantId) ?? nonEmpty(environment["ROSTER_DIRECTORY_TENANT_ID"]) else {
            throw CLIFailure(
                "missing the directory tenant id",
                hint: "pass --directory-tenant-id or set ROSTER_DIRECTORY_TENANT_ID"
            )
        }
        let client = nonEmpty(clientId) ?? nonEmpty(environment["ROSTER_CLIENT_ID"])
        var secret: String?
        if let file = nonEmpty(clientSecretFile) {
            secret = try readSecretFile(file, what: "client secret")
        } else if allowSecretArgument, let argument = nonEmpty(clientSecret) {
            secret = argument
        } else {
            secret = nonEmpty(environment["ROSTER_CLIENT_SECRET"])
        }
        switch (client, secret) {
        case (nil, _?):
            throw CLIFailure(
                "a client secret was given without the application (client) id",
                hint: "pass --client-id (or ROSTER_CLIENT_ID) with it, or neither to use the server's application"
            )
        case (_?, nil):
            throw CLIFailure(
                "missing the client secret",
                hint: "pass --client-secret-file PATH or set ROSTER_CLIENT_SECRET"
            )
        default:
            break
        }
        request.directoryTenantID = tenant
        request.clientID = client ?? ""
        request.clientSecret = secret ?? ""
        request.authorityURL = authorityUrl ?? ""
        request.graphBaseURL = graphUrl ?? ""
        request.tokenScope = tokenScope ?? ""
        return request
    }

    func run() async throws {
        try await CommandRunner.run(connection) { client, context in
            let response = try await client.connectDirectory(try request(environment: context.environment))
            if context.json {
                context.printJSON(JSONOutput.connect(response))
            } else if response.state == .consentRequired {
                context.console.print("Directory connection: \(TextFormat.name(response.state))")
                context.console.print(
                    "A Global Administrator of the directory must grant Roster's application its permissions:"
                )
                context.console.print("  \(response.adminConsentURL)")
                context.console.print("Open that page, sign in, accept; then run `roster connect` again.")
            } else {
                context.console.print("Directory connection: \(TextFormat.name(response.state))")
                context.console.print(
                    "Granted permissions: \(response.grantedPermissions.isEmpty ? "-" : response.grantedPermissions.joined(separator: ", "))"
                )
                context.console.print("Groups cached: \(TextFormat.count(response.groupsCached))")
                context.console.print(
                    "Next: `roster groups TEXT` to find a group, `roster sync --all` or `roster sync --group NAME`."
                )
            }
            return response.state == .consentRequired ? RosterExitCode.consentRequired : .success
        }
    }
}
