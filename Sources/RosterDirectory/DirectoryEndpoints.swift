internal import Foundation

/// Which directory endpoints a tenant may point the server at, and the token scope each Graph
/// endpoint needs.
///
/// A tenant admin chooses the authority and Graph URLs; without a policy the server would send
/// requests (with the tenant's client secret) to any host they name. By default only the
/// Microsoft clouds' own hosts are accepted; an operator adds others (a Graph-compatible proxy, a
/// local test double) with `rosterd serve --allow-directory-host HOST`.
package struct DirectoryEndpoints: Sendable, Hashable {
    /// One Microsoft cloud: its sign-in hosts and its Graph host.
    package struct Cloud: Sendable, Hashable {
        package var name: String
        package var authorityHosts: [String]
        package var graphHost: String
    }

    /// The national clouds of Microsoft Graph (learn.microsoft.com, "National cloud deployments").
    package static let clouds: [Cloud] = [
        Cloud(name: "global", authorityHosts: ["login.microsoftonline.com"], graphHost: "graph.microsoft.com"),
        Cloud(name: "US Government L4", authorityHosts: ["login.microsoftonline.us"], graphHost: "graph.microsoft.us"),
        Cloud(
            name: "US Government L5 (DoD)",
            authorityHosts: ["login.microsoftonline.us"],
            graphHost: "dod-graph.microsoft.us"
        ),
        Cloud(
            name: "China (21Vianet)",
            authorityHosts: ["login.chinacloudapi.cn", "login.partner.microsoftonline.cn"],
            graphHost: "microsoftgraph.chinacloudapi.cn"
        ),
    ]

    private static let knownHosts: Set<String> = Set(clouds.flatMap { $0.authorityHosts + [$0.graphHost] })

    /// Hosts the operator allows beyond the Microsoft clouds' (lower-cased, no port).
    package var allowedHosts: Set<String>

    package init(allowedHosts: some Sequence<String> = []) {
        self.allowedHosts = Set(allowedHosts.map { $0.lowercased() })
    }

    /// Checks one endpoint URL: https to a Microsoft cloud host or an allowed host (plain http
    /// only to an allowed loopback host), no user info, query or fragment.
    /// - Parameter name: the setting's name for the message, e.g. "graph_base_url".
    package func check(_ name: String, _ url: String) throws(DirectoryError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            let rawHost = components.host, !rawHost.isEmpty
        else {
            throw DirectoryError(.permanent, "\(name) \(url) is not a URL; e.g. https://graph.microsoft.com")
        }
        guard components.user == nil, components.password == nil else {
            throw DirectoryError(.permanent, "\(name) must not carry a user name or password")
        }
        guard components.query == nil, components.fragment == nil else {
            throw DirectoryError(
                .permanent,
                "\(name) \(url) must not have a query or a fragment: give the base URL, e.g. https://graph.microsoft.com"
            )
        }
        let host = rawHost.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let allowed = allowedHosts.contains(host)
        guard Self.knownHosts.contains(host) || allowed else {
            throw DirectoryError(
                .permanent,
                "\(name) \(url) is not a Microsoft cloud endpoint (\(Self.knownHosts.sorted().joined(separator: ", "))); "
                    + "an operator can allow its host with `rosterd serve --allow-directory-host \(host)`"
            )
        }
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(host)
        guard scheme == "https" || (scheme == "http" && allowed && loopback) else {
            throw DirectoryError(
                .permanent,
                "\(name) \(url) must use https (plain http only to an allowed loopback host)"
            )
        }
    }

    /// The OAuth scope of a Graph endpoint: `https://<graph host>/.default` for the Microsoft
    /// clouds; for another host, `configured`, else the Graph URL's own `…/.default`.
    package static func tokenScope(graphBaseURL: String, configured: String?) -> String {
        if let configured, !configured.isEmpty { return configured }
        if let host = URLComponents(string: graphBaseURL)?.host?.lowercased(),
            clouds.contains(where: { $0.graphHost == host })
        {
            return "https://\(host)/.default"
        }
        return "\(graphBaseURL)/.default"
    }
}
