import Foundation
import GraphTestDouble
import RosterDirectory
import RosterTLS
import Testing

/// Certificate credentials against the Graph double, which checks assertions as Entra ID does.
@Suite("Client assertions")
struct ClientAssertionTests {
    struct Signer: ClientAssertionSigner {
        let certificate: ApplicationCertificate
        var thumbprintSHA256: [UInt8] { certificate.thumbprintSHA256 }
        func signRS256(_ message: [UInt8]) throws -> [UInt8] { try certificate.signRS256(message) }
    }

    static func certificate() throws -> ApplicationCertificate {
        let directory = NSTemporaryDirectory() + "roster-assertion-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try ApplicationCertificate.create(directory: directory)
    }

    @Test("a signed assertion gets a token, and the token request carries no client secret")
    func accepted() async throws {
        let certificate = try Self.certificate()
        var double = GraphDouble.Configuration()
        double.clientCertificatePEM = certificate.certificatePEM
        try await GraphDoubleHarness.run(
            TestDirectories.generated(10),
            double: double,
            secret: "not-sent",
            configure: { $0.clientAssertionSigner = Signer(certificate: certificate) }
        ) { harness in
            #expect(try await harness.directory.verifyPermissions().contains("User.Read.All"))
            let token = try #require(harness.double.requests.first { $0.path.hasSuffix("/oauth2/v2.0/token") })
            let body = token.body
            #expect(!body.contains("client_secret"))
            #expect(
                body.contains("client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer")
            )
        }
    }

    @Test("an assertion signed by a key whose certificate is not uploaded is refused with AADSTS700027, as authFailed")
    func wrongKey() async throws {
        let uploaded = try Self.certificate()
        let other = try Self.certificate()
        var double = GraphDouble.Configuration()
        double.clientCertificatePEM = uploaded.certificatePEM
        try await GraphDoubleHarness.run(
            TestDirectories.generated(10),
            double: double,
            configure: { $0.clientAssertionSigner = Signer(certificate: other) }
        ) { harness in
            let error = try await #require(throws: DirectoryError.self) {
                try await harness.directory.verifyPermissions()
            }
            #expect(error.code == .authFailed)
            #expect(error.directoryCode == "AADSTS700027")
            #expect(error.message.contains("certificate"), "says to check the uploaded certificate")
        }
    }

    @Test("the double refuses an expired assertion (700024), a wrong audience (700023), a forged signature (700027)")
    func refusals() throws {
        let certificate = try Self.certificate()
        let signer = Signer(certificate: certificate)
        let audience = "http://127.0.0.1:1/double-tenant/oauth2/v2.0/token"
        let now = Date()
        func refusal(_ assertion: String, at time: Date = now) -> Int? {
            ClientAssertionCheck.refusal(
                assertion,
                clientID: "roster-app",
                audience: audience,
                certificatePEM: certificate.certificatePEM,
                now: time
            )?.0
        }
        let good = try ClientAssertion.make(clientID: "roster-app", tokenEndpoint: audience, signer: signer, now: now)
        #expect(refusal(good) == nil)
        #expect(refusal(good, at: now.addingTimeInterval(3600)) == 700024)
        let elsewhere = try ClientAssertion.make(
            clientID: "roster-app",
            tokenEndpoint: "https://login.example.com/t/oauth2/v2.0/token",
            signer: signer,
            now: now
        )
        #expect(refusal(elsewhere) == 700023)
        let otherClient = try ClientAssertion.make(clientID: "other", tokenEndpoint: audience, signer: signer, now: now)
        #expect(refusal(otherClient) == 700021)
        var parts = good.split(separator: ".").map(String.init)
        parts[2] = String(parts[2].reversed())
        #expect(refusal(parts.joined(separator: ".")) == 700027)
        #expect(refusal("not-a-jwt") == 50027)
    }
}
