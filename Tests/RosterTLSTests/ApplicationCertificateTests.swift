import Foundation
import RosterTLS
import Testing

/// The server application's certificate credential: made once, kept 0600, signs RS256.
@Suite("Application certificate")
struct ApplicationCertificateTests {
    static func temporaryDirectory() -> String {
        NSTemporaryDirectory() + "roster-appcert-" + UUID().uuidString
    }

    @Test("create writes the key 0600 and a certificate whose key signs RS256 verifiably; load reads the same pair")
    func createSignLoad() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let created = try ApplicationCertificate.create(directory: directory)
        let keyMode = try FileManager.default.attributesOfItem(atPath: directory + "/app-key.pem")[.posixPermissions]
        #expect((keyMode as? NSNumber)?.intValue == 0o600)
        #expect(created.thumbprintSHA256.count == 32)

        let message = Array("header.claims".utf8)
        let signature = try created.signRS256(message)
        #expect(signature.count == 256, "RSA-2048")
        #expect(
            ApplicationCertificate.verifyRS256(
                signature: signature,
                of: message,
                certificatePEM: created.certificatePEM
            )
        )
        #expect(
            !ApplicationCertificate.verifyRS256(
                signature: signature,
                of: Array("header.claimz".utf8),
                certificatePEM: created.certificatePEM
            )
        )
        let loaded = try ApplicationCertificate.load(directory: directory)
        #expect(loaded.thumbprintSHA256 == created.thumbprintSHA256)
        #expect(
            ApplicationCertificate.verifyRS256(
                signature: try loaded.signRS256(message),
                of: message,
                certificatePEM: created.certificatePEM
            )
        )
    }

    @Test("a second create is refused; --replace keeps the old pair as *.previous and makes a new one")
    func replace() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try ApplicationCertificate.create(directory: directory)
        #expect(throws: TLSError.self) { try ApplicationCertificate.create(directory: directory) }
        let second = try ApplicationCertificate.create(directory: directory, replace: true)
        #expect(second.thumbprintSHA256 != first.thumbprintSHA256)
        let previous = try String(contentsOfFile: directory + "/app-cert.pem.previous", encoding: .utf8)
        #expect(previous == first.certificatePEM)
    }

    @Test("a key file others may read is refused at load")
    func openKeyRefused() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try ApplicationCertificate.create(directory: directory)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: directory + "/app-key.pem")
        #expect(throws: TLSError.self) { try ApplicationCertificate.load(directory: directory) }
    }
}
