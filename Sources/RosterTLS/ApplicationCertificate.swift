internal import COpenSSL
internal import SecretFiles

#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// The certificate credential of rosterd's own application (the app registration every tenant
/// consents to): an RSA-2048 key that signs client assertions, and a self-signed certificate the
/// operator uploads to the app registration (Certificates & secrets → Certificates).
///
/// Microsoft's identity platform takes a client assertion (a JWT signed RS256, with the
/// certificate's SHA-256 thumbprint in its `x5t#S256` header) in place of a client secret; the key
/// never leaves this host. The pair lives in the data directory: `app-cert.pem` and `app-key.pem`
/// (mode 0600, read only while no one else may read it).
package struct ApplicationCertificate: Sendable {
    /// The certificate file's name inside the data directory.
    package static let certificateFileName = "app-cert.pem"
    /// The private key file's name inside the data directory (mode 0600).
    package static let privateKeyFileName = "app-key.pem"
    /// How long a new certificate is valid: two years, the longest Entra recommends.
    package static let validDays = 730

    /// The certificate, PEM.
    package let certificatePEM: String
    /// SHA-256 of the certificate's DER bytes: the `x5t#S256` of each assertion.
    package let thumbprintSHA256: [UInt8]
    private let privateKeyPEM: String

    /// Makes a new key pair and certificate in `directory`; with `replace`, an existing pair is
    /// first renamed `*.previous` (rotation: upload the new certificate, restart, then remove the
    /// old one from the app registration). Without it, an existing pair is refused.
    package static func create(directory: String, replace: Bool = false) throws(TLSError) -> ApplicationCertificate {
        let (certificatePath, keyPath) = paths(directory)
        let existing = try files { () throws(SecretFileError) in
            [certificatePath, keyPath].filter { (try? SecretFile.exists($0)) == true }
        }
        if !existing.isEmpty {
            guard replace else {
                throw TLSError(
                    .configuration,
                    "\(existing.joined(separator: " and ")) already \(existing.count > 1 ? "exist" : "exists"); pass --replace to rotate to a new pair"
                )
            }
            for path in existing {
                SecretFile.remove(path + ".previous")
                guard rename(path, path + ".previous") == 0 else {
                    throw TLSError(.configuration, "cannot rename \(path) to \(path).previous (errno \(errno))")
                }
            }
        }
        let (certificatePEM, privateKeyPEM) = try generate()
        try files { () throws(SecretFileError) in
            try SecretFile.createDirectory(directory)
            try SecretFile.create(keyPath, contents: Array(privateKeyPEM.utf8))
            try SecretFile.create(certificatePath, contents: Array(certificatePEM.utf8), mode: 0o644)
        }
        return try ApplicationCertificate(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM)
    }

    /// Runs file steps, their failure as a configuration error.
    private static func files<T>(_ body: () throws(SecretFileError) -> T) throws(TLSError) -> T {
        do {
            return try body()
        } catch {
            throw TLSError(.configuration, "the application certificate's files: \(error)")
        }
    }

    /// The pair in `directory`, made by ``create(directory:replace:)``.
    package static func load(directory: String) throws(TLSError) -> ApplicationCertificate {
        let (certificatePath, keyPath) = paths(directory)
        let certificatePEM: String
        let privateKeyPEM: String
        do throws(SecretFileError) {
            certificatePEM = String(
                decoding: try SecretFile.contents(of: certificatePath, ownerOnly: false),
                as: UTF8.self
            )
            privateKeyPEM = String(decoding: try SecretFile.contents(of: keyPath, ownerOnly: true), as: UTF8.self)
        } catch {
            throw TLSError(
                .configuration,
                "cannot read the application certificate: \(error); make one with `rosterd app-certificate create`"
            )
        }
        guard
            try SelfSignedCertificate.privateKey(
                privateKeyPEM,
                from: keyPath,
                belongsTo: certificatePEM,
                from: certificatePath
            )
        else {
            throw SelfSignedCertificate.openSSLFailure("\(keyPath) is not the key of \(certificatePath)")
        }
        return try ApplicationCertificate(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM)
    }

    private init(certificatePEM: String, privateKeyPEM: String) throws(TLSError) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
        self.thumbprintSHA256 = try Self.thumbprint(certificatePEM)
    }

    private static func paths(_ directory: String) -> (certificate: String, key: String) {
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        return ("\(base)/\(certificateFileName)", "\(base)/\(privateKeyFileName)")
    }

    // MARK: - Signing

    /// RS256 (RSASSA-PKCS1-v1_5, SHA-256) of `message` with the private key.
    package func signRS256(_ message: [UInt8]) throws(TLSError) -> [UInt8] {
        let bio = try SelfSignedCertificate.memoryBIO(holding: privateKeyPEM, from: Self.privateKeyFileName)
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw SelfSignedCertificate.openSSLFailure("\(Self.privateKeyFileName) holds no private key")
        }
        defer { EVP_PKEY_free(key) }
        var signature = [UInt8](repeating: 0, count: Int(EVP_PKEY_get_size(key)))
        let length = roster_sign_rs256(key, message, message.count, &signature, signature.count)
        guard length > 0 else { throw SelfSignedCertificate.openSSLFailure("cannot sign the client assertion") }
        return Array(signature.prefix(length))
    }

    /// Whether `signature` is an RS256 signature of `message` by the key of `certificatePEM` (what
    /// the identity platform checks; the Graph test double checks it the same way).
    package static func verifyRS256(signature: [UInt8], of message: [UInt8], certificatePEM: String) -> Bool {
        guard let certificate = try? SelfSignedCertificate.readCertificate(certificatePEM, from: "the certificate")
        else { return false }
        defer { X509_free(certificate) }
        guard let key = X509_get_pubkey(certificate) else { return false }
        defer { EVP_PKEY_free(key) }
        return roster_verify_rs256(key, message, message.count, signature, signature.count) == 1
    }

    /// SHA-256 of the DER bytes of the first certificate in `certificatePEM`.
    package static func thumbprint(_ certificatePEM: String) throws(TLSError) -> [UInt8] {
        let certificate = try SelfSignedCertificate.readCertificate(certificatePEM, from: "the certificate")
        defer { X509_free(certificate) }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate, EVP_sha256(), &digest, &length) == 1 else {
            throw SelfSignedCertificate.openSSLFailure("cannot hash the certificate")
        }
        return Array(digest.prefix(Int(length)))
    }

    // MARK: - Making the pair

    private static func generate() throws(TLSError) -> (certificatePEM: String, privateKeyPEM: String) {
        ERR_clear_error()
        guard let key = roster_generate_rsa_key(2048) else {
            throw SelfSignedCertificate.openSSLFailure("cannot generate an RSA-2048 key")
        }
        defer { EVP_PKEY_free(key) }
        guard let certificate = X509_new() else {
            throw SelfSignedCertificate.openSSLFailure("cannot create a certificate")
        }
        defer { X509_free(certificate) }
        try SelfSignedCertificate.check(
            X509_set_version(certificate, Int(X509_VERSION_3)) == 1,
            "cannot set the version"
        )
        try SelfSignedCertificate.setRandomSerialNumber(certificate)
        try SelfSignedCertificate.check(
            X509_gmtime_adj(X509_getm_notBefore(certificate), -3600) != nil,
            "cannot set the certificate's start time"
        )
        try SelfSignedCertificate.check(
            X509_time_adj_ex(X509_getm_notAfter(certificate), Int32(validDays), 0, nil) != nil,
            "cannot set the certificate's end time"
        )
        try SelfSignedCertificate.setSubjectAndIssuer(certificate, commonName: "Roster application")
        try SelfSignedCertificate.check(X509_set_pubkey(certificate, key) == 1, "cannot set the public key")
        try SelfSignedCertificate.addExtensions(
            to: certificate,
            [
                (NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature"),
                (NID_subject_key_identifier, "hash"),
            ]
        )
        try SelfSignedCertificate.check(X509_sign(certificate, key, EVP_sha256()) > 0, "cannot sign the certificate")
        let certificatePEM = try SelfSignedCertificate.pem("the certificate") { PEM_write_bio_X509($0, certificate) }
        let privateKeyPEM = try SelfSignedCertificate.pem("the private key") {
            PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil)
        }
        return (certificatePEM, privateKeyPEM)
    }
}
