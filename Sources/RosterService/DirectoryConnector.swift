package import AsyncHTTPClient
internal import Foundation
package import Logging
package import RosterDirectory
package import RosterStore

/// Makes the directory a tenant reads: Microsoft Graph (or a Graph-compatible server) at the
/// tenant's endpoints, or, when allowed, a Graph-shaped JSON export.
///
/// A tenant's Graph base URL picks the source: `https://…` is Graph; `demo:` is the bundled demo
/// directory and `file:///path/export.json` an export — both only when ``allowFileDirectories``
/// is on (`rosterd --allow-file-directories`), since they let an admin key make the server read
/// local files. Graph endpoints must be Microsoft cloud hosts or hosts the operator allows
/// (``endpoints``): a tenant admin cannot make the server send requests anywhere else.
package struct DirectoryConnector: Sendable {
    /// The credentials and endpoints of one connection attempt or tenant.
    package struct Credentials: Sendable {
        package var directoryTenantID: String
        package var clientID: String
        package var clientSecret: GraphDirectory.ClientSecret
        package var authorityURL: String
        package var graphBaseURL: String
        /// The OAuth scope; nil derives it from the Graph URL (``DirectoryEndpoints``).
        package var tokenScope: String?
        /// The server's own application (``DirectoryConnector/application``), not the tenant's.
        package var usesServerApplication = false
        /// The tenant's additional user properties (`TenantRecord.attributes`), read from every user.
        package var attributes: [String] = []
        /// A `demo:` or `file://` directory rather than a Graph endpoint.
        package var isFileDirectory: Bool { graphBaseURL == "demo:" || graphBaseURL.hasPrefix("file:") }

        package init(
            directoryTenantID: String,
            clientID: String,
            clientSecret: GraphDirectory.ClientSecret,
            authorityURL: String,
            graphBaseURL: String,
            tokenScope: String? = nil
        ) {
            self.directoryTenantID = directoryTenantID
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.authorityURL = authorityURL
            self.graphBaseURL = graphBaseURL
            self.tokenScope = tokenScope
        }
    }

    /// The server's own multi-tenant application: one app registration that every tenant's
    /// Global Administrator authorizes by admin consent, instead of each tenant registering its own.
    package struct Application: Sendable {
        /// The application (client) id.
        package var clientID: String
        /// Its client secret (unused when ``assertionSigner`` is set).
        package var clientSecret: GraphDirectory.ClientSecret
        /// Its certificate credential, which signs client assertions in place of the secret.
        package var assertionSigner: (any ClientAssertionSigner)?
        /// Where Entra sends the administrator after consent; must be a redirect URI of the app
        /// registration. Nil leaves it out of the consent URL (Entra then uses the app's first one).
        package var consentRedirectURI: String?

        package init(
            clientID: String,
            clientSecret: GraphDirectory.ClientSecret,
            assertionSigner: (any ClientAssertionSigner)? = nil,
            consentRedirectURI: String? = nil
        ) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.assertionSigner = assertionSigner
            self.consentRedirectURI = consentRedirectURI
        }

        /// `{authority}/{tenant}/adminconsent?client_id=…[&redirect_uri=…]`: the page where a Global
        /// Administrator of `directoryTenantID` grants this application its permissions.
        package func adminConsentURL(authority: String, directoryTenantID: String) -> String {
            var query = "client_id=" + Self.encoded(clientID)
            if let consentRedirectURI { query += "&redirect_uri=" + Self.encoded(consentRedirectURI) }
            return "\(authority)/\(Self.encoded(directoryTenantID))/adminconsent?\(query)"
        }

        /// Percent-encodes all but the unreserved characters (RFC 3986).
        private static func encoded(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
        }

        private static let unreserved = CharacterSet(
            charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
        )
    }

    /// The default endpoints of the public cloud.
    package static let defaultAuthorityURL = "https://login.microsoftonline.com"
    package static let defaultGraphBaseURL = "https://graph.microsoft.com"

    /// Whether `demo:` and `file://` Graph URLs are accepted.
    package var allowFileDirectories: Bool
    /// The server's own application, when rosterd has one (`--app-client-id`); tenants may then
    /// connect with their directory tenant id alone.
    package var application: Application?
    /// The endpoints tenants may use: the Microsoft clouds and the hosts the operator allows.
    package var endpoints: DirectoryEndpoints
    /// The HTTP client every Graph directory shares.
    package var httpClient: HTTPClient
    /// Tunes each Graph directory (timeouts, retries; tests shorten the waits).
    package var configure: @Sendable (inout GraphDirectory.Configuration) -> Void
    package var logger: Logger

    package init(
        allowFileDirectories: Bool = false,
        application: Application? = nil,
        endpoints: DirectoryEndpoints = DirectoryEndpoints(),
        httpClient: HTTPClient = GraphDirectory.sharedHTTPClient,
        logger: Logger = Logger(label: "roster.directory"),
        configure: @escaping @Sendable (inout GraphDirectory.Configuration) -> Void = { _ in }
    ) {
        self.allowFileDirectories = allowFileDirectories
        self.application = application
        self.endpoints = endpoints
        self.httpClient = httpClient
        self.logger = logger
        self.configure = configure
    }

    /// The directory for `credentials`; `onThrottle` hears each throttling wait.
    package func directory(
        _ credentials: Credentials,
        onThrottle: @escaping @Sendable (GraphDirectory.ThrottleWait) -> Void = { _ in }
    ) throws(DirectoryError) -> any DirectorySource {
        let base = credentials.graphBaseURL
        if credentials.isFileDirectory {
            guard allowFileDirectories else {
                throw DirectoryError(
                    .permanent,
                    "the Graph URL \(base) names a local directory file, which this server does not allow; "
                        + "use an https:// Graph URL (or start rosterd with --allow-file-directories)"
                )
            }
            var fileConfiguration = FileDirectory.Configuration()
            fileConfiguration.attributes = credentials.attributes
            if base == "demo:" { return try FileDirectory.demo(configuration: fileConfiguration) }
            guard let url = URL(string: base), url.isFileURL else {
                throw DirectoryError(.permanent, "the Graph URL \(base) is not a valid file:// URL")
            }
            return try FileDirectory(contentsOf: url, configuration: fileConfiguration)
        }
        try checkEndpoints(credentials)
        var configuration = GraphDirectory.Configuration(
            directoryTenantID: credentials.directoryTenantID,
            clientID: credentials.clientID,
            clientSecret: credentials.clientSecret
        )
        configuration.authority = credentials.authorityURL
        configuration.graphBaseURL = base
        configuration.tokenScope = credentials.tokenScope
        configuration.attributes = credentials.attributes
        configuration.isMultiTenantApplication = credentials.usesServerApplication
        if credentials.usesServerApplication { configuration.clientAssertionSigner = application?.assertionSigner }
        configuration.onThrottle = onThrottle
        configuration.logger = logger
        configure(&configuration)
        return GraphDirectory(configuration: configuration, httpClient: httpClient)
    }

    /// The directory of a stored tenant, its secret read from `store`.
    package func directory(
        tenant: TenantRecord,
        store: any Store,
        onThrottle: @escaping @Sendable (GraphDirectory.ThrottleWait) -> Void = { _ in }
    ) async throws -> any DirectorySource {
        var credentials = Credentials(
            directoryTenantID: tenant.directoryTenantID ?? "",
            clientID: tenant.clientID ?? "",
            clientSecret: GraphDirectory.ClientSecret(try await store.clientSecret(tenant: tenant.id) ?? ""),
            authorityURL: tenant.authorityURL,
            graphBaseURL: tenant.graphBaseURL,
            tokenScope: tenant.tokenScope
        )
        credentials.attributes = tenant.attributes
        if tenant.usesServerApplication {
            // Connected through the server's application: its credentials, never stored per tenant.
            guard let application else {
                throw DirectoryError(
                    .authFailed,
                    "tenant \(tenant.id) connects through the server's application, but rosterd runs without one; "
                        + "start it with --app-client-id and --app-client-secret-file, or connect the tenant with "
                        + "its own app registration"
                )
            }
            credentials.clientID = application.clientID
            credentials.clientSecret = application.clientSecret
            credentials.usesServerApplication = true
        }
        return try directory(credentials, onThrottle: onThrottle)
    }

    /// Checks both endpoints of a Graph directory against ``endpoints``.
    package func checkEndpoints(_ credentials: Credentials) throws(DirectoryError) {
        try endpoints.check("authority_url", credentials.authorityURL)
        try endpoints.check("graph_base_url", credentials.graphBaseURL)
    }
}
