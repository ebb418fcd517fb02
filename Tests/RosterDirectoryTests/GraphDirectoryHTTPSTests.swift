import AsyncHTTPClient
import Foundation
import GraphTestDouble
import NIOSSL
import RosterDirectory
import RosterTLS
import Testing

/// GraphDirectory over HTTPS, as it reaches Graph: the double serves TLS with a self-signed
/// certificate that the test's HTTP client trusts.
@Suite("GraphDirectory over HTTPS")
struct GraphDirectoryHTTPSTests {
    @Test("token, listing, delta and a throttled retry over TLS; a certificate the client does not trust is refused")
    func https() async throws {
        let directory = NSTemporaryDirectory() + "roster-graph-https-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pair = try SelfSignedCertificate.loadOrCreate(
            directory: directory,
            commonName: "graph-double",
            subjectAltNames: ["127.0.0.1"]
        )
        var doubleConfiguration = GraphDouble.Configuration()
        doubleConfiguration.tls = .init(certificateChainPath: pair.certificatePath, privateKeyPath: pair.privateKeyPath)
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(pair.certificatePath)
        var clientConfiguration = HTTPClient.Configuration(tlsConfiguration: tls)
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        do {
            try await GraphDouble.withRunning(
                directory: TestDirectories.generated(1_500),
                configuration: doubleConfiguration
            ) { double in
                #expect(double.baseURL.hasPrefix("https://127.0.0.1:"))
                var configuration = GraphDirectory.Configuration(
                    directoryTenantID: "double-tenant",
                    clientID: "roster-app",
                    clientSecret: .init("double-secret")
                )
                configuration.authority = double.baseURL
                configuration.graphBaseURL = double.baseURL
                configuration.sleep = { _ in }
                let graph = GraphDirectory(configuration: configuration, httpClient: client)
                #expect(try await graph.verifyPermissions().contains("User.Read.All"))
                #expect(try await graph.users().collect().map(\.items.count) == [999, 501])
                double.inject([.throttle(retryAfter: 1)], pathPrefix: "/v1.0/users/delta")
                let changes = try await graph.userChanges(since: nil).collect()
                #expect(changes.flatMap(\.changed).count == 1_500)
                #expect(changes.last?.deltaLink?.hasPrefix(double.baseURL) == true)

                // The process-wide client trusts the system's roots only: the handshake fails at once
                // (no retry can make the certificate trusted), and the error says why.
                let untrusted = GraphDirectory(configuration: configuration)
                let requestsBefore = double.requests.count
                do {
                    try await untrusted.verifyPermissions()
                    Issue.record("a self-signed certificate was trusted")
                } catch let error as DirectoryError {
                    #expect(error.code == .permanent)
                    #expect(error.message.contains("TLS certificate was refused"), "\(error)")
                }
                #expect(double.requests.count == requestsBefore, "the refused token request never reached the double")
            }
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }
}
