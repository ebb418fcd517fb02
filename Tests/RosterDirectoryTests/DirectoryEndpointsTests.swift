import GraphTestDouble
import Testing

@testable import RosterDirectory

/// Directory endpoints are not a free proxy: only the Microsoft clouds' hosts, or hosts the
/// operator allows; and the token scope is its own setting.
@Suite("Directory endpoints and token scope")
struct DirectoryEndpointsTests {
    func refusal(_ endpoints: DirectoryEndpoints, _ url: String) -> String? {
        do {
            try endpoints.check("graph_base_url", url)
            return nil
        } catch {
            return error.message
        }
    }

    @Test("the Microsoft clouds' hosts are accepted over https by default")
    func knownClouds() {
        let endpoints = DirectoryEndpoints()
        for url in [
            "https://graph.microsoft.com", "https://login.microsoftonline.com", "https://graph.microsoft.us",
            "https://dod-graph.microsoft.us", "https://login.microsoftonline.us",
            "https://microsoftgraph.chinacloudapi.cn",
            "https://login.chinacloudapi.cn", "https://GRAPH.microsoft.com/",
        ] {
            #expect(refusal(endpoints, url) == nil, "\(url)")
        }
    }

    @Test("any other host is refused unless the operator allows it, with the flag to do so")
    func otherHosts() {
        let strict = DirectoryEndpoints()
        #expect(
            refusal(strict, "https://169.254.169.254/latest")?.hasPrefix(
                "graph_base_url https://169.254.169.254/latest is not a Microsoft cloud endpoint"
            ) == true
        )
        #expect(
            refusal(strict, "https://internal.example")?.hasSuffix(
                "an operator can allow its host with `rosterd serve --allow-directory-host internal.example`"
            ) == true
        )
        #expect(refusal(strict, "http://127.0.0.1:8080") != nil, "loopback is not allowed by default")
        let allowing = DirectoryEndpoints(allowedHosts: ["Graph-Proxy.example", "127.0.0.1"])
        #expect(refusal(allowing, "https://graph-proxy.example") == nil)
        #expect(refusal(allowing, "http://127.0.0.1:8080") == nil)
        #expect(
            refusal(allowing, "http://graph-proxy.example")
                == "graph_base_url http://graph-proxy.example must use https (plain http only to an allowed loopback host)"
        )
        #expect(refusal(allowing, "http://graph.microsoft.com") != nil)
    }

    @Test("user info, query and fragment are refused; a non-URL is named")
    func urlShapes() {
        let endpoints = DirectoryEndpoints()
        #expect(
            refusal(endpoints, "https://user:pw@graph.microsoft.com")
                == "graph_base_url must not carry a user name or password"
        )
        #expect(
            refusal(endpoints, "https://graph.microsoft.com?x=1")?.contains("must not have a query or a fragment")
                == true
        )
        #expect(
            refusal(endpoints, "https://graph.microsoft.com#top")?.contains("must not have a query or a fragment")
                == true
        )
        #expect(refusal(endpoints, "graph")?.contains("is not a URL") == true)
    }

    @Test("the token scope: derived for the clouds, configured or from the URL otherwise")
    func tokenScope() {
        #expect(
            DirectoryEndpoints.tokenScope(graphBaseURL: "https://graph.microsoft.com", configured: nil)
                == "https://graph.microsoft.com/.default"
        )
        #expect(
            DirectoryEndpoints.tokenScope(graphBaseURL: "https://dod-graph.microsoft.us", configured: "")
                == "https://dod-graph.microsoft.us/.default"
        )
        #expect(
            DirectoryEndpoints.tokenScope(
                graphBaseURL: "https://proxy.example",
                configured: "https://graph.microsoft.com/.default"
            ) == "https://graph.microsoft.com/.default"
        )
        #expect(
            DirectoryEndpoints.tokenScope(graphBaseURL: "https://proxy.example", configured: nil)
                == "https://proxy.example/.default"
        )
    }

    @Test(
        "a Graph proxy at another URL: the URL as scope fails with AADSTS500011 naming the scope; the configured scope works"
    )
    func proxyScope() async throws {
        var double = GraphDouble.Configuration()
        double.acceptedScope = "https://graph.microsoft.com/.default"
        try await GraphDoubleHarness.run(TestDirectories.generated(5), double: double) { harness in
            do {
                _ = try await harness.directory.verifyPermissions()
                Issue.record("a token for an unknown resource was granted")
            } catch let error as DirectoryError {
                #expect(
                    error.message.hasPrefix(
                        "the token endpoint does not know the resource of the scope \(harness.double.baseURL)/.default (invalid_resource: AADSTS500011"
                    ),
                    "\(error.message)"
                )
                #expect(!error.message.contains("client secret"))
            }
        }
        try await GraphDoubleHarness.run(
            TestDirectories.generated(5),
            double: double,
            configure: { $0.tokenScope = "https://graph.microsoft.com/.default" }
        ) { harness in
            let granted = try await harness.directory.verifyPermissions()
            #expect(granted.contains("User.Read.All"))
        }
    }
}
