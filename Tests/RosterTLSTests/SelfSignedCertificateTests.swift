import ChildProcesses
import Foundation
import NIOCore
import NIOEmbedded
import Testing

@testable import RosterTLS

@Suite("Self-signed certificate")
struct SelfSignedCertificateTests {
    static let names = ["localhost", "127.0.0.1", "::1"]

    @Test("openssl reads the certificate: CA:TRUE, key usages, SANs, P-256, and the same SHA-256 fingerprint")
    func opensslAgrees() throws {
        let directory = try TemporaryDirectory()
        let generated = try SelfSignedCertificate.generate(commonName: "rosterd", subjectAltNames: Self.names)
        let certificatePath = directory.file("cert.pem")
        try generated.certificatePEM.write(toFile: certificatePath, atomically: true, encoding: .utf8)
        try generated.privateKeyPEM.write(toFile: directory.file("key.pem"), atomically: true, encoding: .utf8)

        let text = try openssl("x509", "-noout", "-text", "-in", certificatePath)
        #expect(text.contains("Version: 3"))
        #expect(text.contains("Subject: CN = rosterd"))
        #expect(text.contains("Issuer: CN = rosterd"))
        #expect(text.contains("CA:TRUE"))
        #expect(text.contains("Digital Signature, Certificate Sign"))
        #expect(text.contains("TLS Web Server Authentication"))
        #expect(text.contains("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"))
        #expect(text.contains("ecdsa-with-SHA256"))
        #expect(text.contains("NIST CURVE: P-256"))

        let fingerprintLine = try openssl("x509", "-noout", "-fingerprint", "-sha256", "-in", certificatePath)
        let ours = try SelfSignedCertificate.fingerprintSHA256(certificatePEM: generated.certificatePEM)
        #expect(
            fingerprintLine.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "=").last.map(String.init)
                == ours
        )
        #expect(ours.count == 32 * 3 - 1)

        // The certificate is its own trust anchor for the names it carries, and not for others.
        let verifiedName = try openssl(
            "verify",
            "-CAfile",
            certificatePath,
            "-verify_hostname",
            "localhost",
            certificatePath
        )
        #expect(verifiedName.contains("OK"))
        let verifiedIP = try openssl("verify", "-CAfile", certificatePath, "-verify_ip", "127.0.0.1", certificatePath)
        #expect(verifiedIP.contains("OK"))
        #expect(throws: OpenSSLCommandFailed.self) {
            try openssl("verify", "-CAfile", certificatePath, "-verify_hostname", "roster.example.com", certificatePath)
        }
        // The key is the certificate's.
        let publicKeyOfKey = try openssl("pkey", "-in", directory.file("key.pem"), "-pubout")
        let publicKeyOfCertificate = try openssl("x509", "-noout", "-pubkey", "-in", certificatePath)
        #expect(publicKeyOfKey == publicKeyOfCertificate)
    }

    @Test("every certificate gets a new key and a new random serial number")
    func freshKeysAndSerials() throws {
        let first = try SelfSignedCertificate.generate(commonName: "rosterd", subjectAltNames: ["localhost"])
        let second = try SelfSignedCertificate.generate(commonName: "rosterd", subjectAltNames: ["localhost"])
        #expect(first.privateKeyPEM != second.privateKeyPEM)
        #expect(first.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(
            try SelfSignedCertificate.fingerprintSHA256(certificatePEM: first.certificatePEM)
                != SelfSignedCertificate.fingerprintSHA256(certificatePEM: second.certificatePEM)
        )
    }

    @Test("bad input is refused with a reason: no SANs, a SAN with a comma, zero days, no certificate")
    func badInput() {
        #expect(throws: TLSError.self) {
            try SelfSignedCertificate.generate(commonName: "rosterd", subjectAltNames: [])
        }
        #expect(throws: TLSError.self) {
            try SelfSignedCertificate.generate(commonName: "rosterd", subjectAltNames: ["localhost,IP:10.0.0.1"])
        }
        #expect(throws: TLSError.self) {
            try SelfSignedCertificate.generate(commonName: "rosterd", subjectAltNames: ["localhost"], validDays: 0)
        }
        #expect(throws: TLSError.self) {
            try SelfSignedCertificate.fingerprintSHA256(certificatePEM: "not a certificate")
        }
    }

    @Test("loadOrCreate creates once (key mode 0600), then loads the same certificate")
    func loadOrCreate() throws {
        let directory = try TemporaryDirectory()
        let data = directory.file("data/roster")  // does not exist yet
        let first = try SelfSignedCertificate.loadOrCreate(
            directory: data,
            commonName: "rosterd",
            subjectAltNames: Self.names
        )
        #expect(first.created)
        #expect(first.certificatePath == "\(data)/tls-cert.pem")
        #expect(first.privateKeyPath == "\(data)/tls-key.pem")
        let attributes = try FileManager.default.attributesOfItem(atPath: first.privateKeyPath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let second = try SelfSignedCertificate.loadOrCreate(
            directory: data,
            commonName: "rosterd",
            subjectAltNames: Self.names
        )
        #expect(!second.created)
        #expect(second.fingerprint == first.fingerprint)
        let onDisk = try String(contentsOfFile: first.certificatePath, encoding: .utf8)
        #expect(try SelfSignedCertificate.fingerprintSHA256(certificatePEM: onDisk) == first.fingerprint)
    }

    @Test("loadOrCreate refuses a lone certificate or key, and a key that does not match, saying what to do")
    func loadOrCreateRefusesHalfPairs() throws {
        let directory = try TemporaryDirectory()
        let created = try SelfSignedCertificate.loadOrCreate(
            directory: directory.path,
            commonName: "rosterd",
            subjectAltNames: ["localhost"]
        )
        let key = try String(contentsOfFile: created.privateKeyPath, encoding: .utf8)

        try FileManager.default.removeItem(atPath: created.privateKeyPath)
        let noKey = #expect(throws: TLSError.self) {
            try SelfSignedCertificate.loadOrCreate(
                directory: directory.path,
                commonName: "rosterd",
                subjectAltNames: ["localhost"]
            )
        }
        #expect(noKey?.message.contains("delete \(created.certificatePath)") == true, "\(String(describing: noKey))")

        try key.write(toFile: created.privateKeyPath, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: created.privateKeyPath)
        try FileManager.default.removeItem(atPath: created.certificatePath)
        let noCertificate = #expect(throws: TLSError.self) {
            try SelfSignedCertificate.loadOrCreate(
                directory: directory.path,
                commonName: "rosterd",
                subjectAltNames: ["localhost"]
            )
        }
        #expect(
            noCertificate?.message.contains("delete \(created.privateKeyPath)") == true,
            "\(String(describing: noCertificate))"
        )

        let other = try SelfSignedCertificate.generate(commonName: "other", subjectAltNames: ["localhost"])
        try other.certificatePEM.write(toFile: created.certificatePath, atomically: true, encoding: .utf8)
        let mismatch = #expect(throws: TLSError.self) {
            try SelfSignedCertificate.loadOrCreate(
                directory: directory.path,
                commonName: "rosterd",
                subjectAltNames: ["localhost"]
            )
        }
        #expect(
            mismatch?.message.contains("does not belong to the certificate") == true,
            "\(String(describing: mismatch))"
        )
    }

    @Test(
        "loadOrCreate refuses a key file others may read, saying to chmod 600 it (as for master.key)",
        arguments: [0o644, 0o640, 0o604, 0o660]
    )
    func loadOrCreateRefusesOpenKey(mode: Int) throws {
        let directory = try TemporaryDirectory()
        let created = try SelfSignedCertificate.loadOrCreate(
            directory: directory.path,
            commonName: "rosterd",
            subjectAltNames: ["localhost"]
        )
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: created.privateKeyPath)
        let error = #expect(throws: TLSError.self) {
            try SelfSignedCertificate.loadOrCreate(
                directory: directory.path,
                commonName: "rosterd",
                subjectAltNames: ["localhost"]
            )
        }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("has mode \(String(mode, radix: 8))") == true, "\(String(describing: error))")
        #expect(error?.message.contains("chmod 600 \(created.privateKeyPath)") == true, "\(String(describing: error))")

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: created.privateKeyPath)
        let loaded = try SelfSignedCertificate.loadOrCreate(
            directory: directory.path,
            commonName: "rosterd",
            subjectAltNames: ["localhost"]
        )
        #expect(loaded.fingerprint == created.fingerprint)
    }

    @Test(
        "a client using the certificate as its CA file verifies the server for each of its names",
        arguments: ["localhost", "127.0.0.1", "::1", "[::1]"]
    )
    func handshakeSucceeds(serverName: String) throws {
        let directory = try TemporaryDirectory()
        let pair = try SelfSignedCertificate.loadOrCreate(
            directory: directory.path,
            commonName: "rosterd",
            subjectAltNames: Self.names
        )
        let result = try handshake(pair: pair, serverName: serverName)
        #expect(result.client.error == nil, "\(String(describing: result.client.error))")
        #expect(result.server.error == nil, "\(String(describing: result.server.error))")
        #expect(result.client.peer?.subject == "/CN=rosterd")
        // IPv6 SANs are reported too, in canonical form.
        #expect(result.client.peer?.subjectAlternativeNames == ["DNS:localhost", "IP:127.0.0.1", "IP:::1"])
        #expect(result.server.peer != nil)
    }

    @Test(
        "a client expecting another host name or address refuses the certificate",
        arguments: ["roster.example.com", "10.0.0.1", "::2", "[::2]", "[127.0.0.1]"]
    )
    func handshakeFailsForOtherNames(serverName: String) throws {
        let directory = try TemporaryDirectory()
        let pair = try SelfSignedCertificate.loadOrCreate(
            directory: directory.path,
            commonName: "rosterd",
            subjectAltNames: Self.names
        )
        let result = try handshake(pair: pair, serverName: serverName)
        #expect(result.client.peer == nil)
        #expect(result.server.peer == nil)
        let error = try #require(result.client.error as? TLSError)
        #expect(error.code == .certificateVerificationFailed, "\(error)")
    }
}

@Suite("Client TLS handler")
struct ClientTLSHandlerTests {
    @Test("a client without a server name to check is refused rather than accept any certificate")
    func emptyServerName() throws {
        let directory = try TemporaryDirectory()
        let pair = try SelfSignedCertificate.loadOrCreate(
            directory: directory.path,
            commonName: "rosterd",
            subjectAltNames: ["localhost"]
        )
        let context = try TLSContext(client: TLSConfiguration.Client(caFilePath: pair.certificatePath))
        #expect(throws: TLSError.self) { try TLSHandler(context: context, role: .client(serverName: "")) }
        _ = try TLSHandler(context: context, role: .client(serverName: "localhost"))
    }
}

// MARK: - Helpers

/// A directory under the system's temporary directory, removed when the value goes away.
private final class TemporaryDirectory {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("roster-tls-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

private struct OpenSSLCommandFailed: Error {
    var output: String
}

/// Runs the openssl CLI and returns its standard output; throws when it exits non-zero.
@discardableResult
private func openssl(_ arguments: String...) throws -> String {
    let process = try SpawnedProcess("/usr/bin/env", ["openssl"] + arguments, output: .pipe, errors: .sameAsOutput)
    let text = String(decoding: process.output!.readUntilEnd(), as: UTF8.self)
    guard process.wait()?.status == 0 else { throw OpenSSLCommandFailed(output: text) }
    return text
}

/// Records what a TLSHandler reports up its pipeline.
private final class Outcome: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    var peer: TLSPeer?
    var error: (any Error)?

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted { peer = completed.peer }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.error == nil { self.error = error }
    }
}

/// A TLS handshake between a server using the pair and a client that trusts only the pair's
/// certificate, over two EmbeddedChannels whose bytes are passed back and forth.
private func handshake(
    pair: (certificatePath: String, privateKeyPath: String, fingerprint: String, created: Bool),
    serverName: String
) throws -> (client: Outcome, server: Outcome) {
    let serverContext = try TLSContext(
        server: TLSConfiguration.Server(certificateChainPath: pair.certificatePath, privateKeyPath: pair.privateKeyPath)
    )
    let clientContext = try TLSContext(client: TLSConfiguration.Client(caFilePath: pair.certificatePath))
    let server = EmbeddedChannel()
    let client = EmbeddedChannel()
    let serverOutcome = Outcome()
    let clientOutcome = Outcome()
    try server.pipeline.syncOperations.addHandler(TLSHandler(context: serverContext, role: .server))
    try server.pipeline.syncOperations.addHandler(serverOutcome)
    try client.pipeline.syncOperations.addHandler(
        TLSHandler(context: clientContext, role: .client(serverName: serverName))
    )
    try client.pipeline.syncOperations.addHandler(clientOutcome)

    let address = try SocketAddress(ipAddress: "127.0.0.1", port: 7443)
    try server.connect(to: address).wait()
    try client.connect(to: address).wait()  // the client sends its ClientHello
    for _ in 0..<10 {
        var moved = false
        while let bytes = try client.readOutbound(as: ByteBuffer.self) {
            moved = true
            _ = try? server.writeInbound(bytes)
        }
        while let bytes = try server.readOutbound(as: ByteBuffer.self) {
            moved = true
            _ = try? client.writeInbound(bytes)
        }
        if !moved { break }
    }
    _ = try? client.finish()
    _ = try? server.finish()
    return (clientOutcome, serverOutcome)
}
