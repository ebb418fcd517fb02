internal import COpenSSL

#if canImport(Glibc)
internal import Glibc
#elseif canImport(Musl)
internal import Musl
#elseif canImport(Darwin)
internal import Darwin
#endif

/// The self-signed certificate `rosterd` makes for itself when no certificate and key are
/// configured: an ECDSA P-256 key and an X.509 v3 certificate that is its own CA.
///
/// Because the certificate has `CA:TRUE`, a client trusts the server by using the certificate file
/// itself as its CA file (``TLSConfiguration/Client/caFilePath``); operators compare the SHA-256
/// fingerprint the server prints with `openssl x509 -noout -fingerprint -sha256 -in tls-cert.pem`.
package enum SelfSignedCertificate {
    /// The certificate's file name inside the data directory.
    package static let certificateFileName = "tls-cert.pem"
    /// The private key's file name inside the data directory (mode 0600).
    package static let privateKeyFileName = "tls-key.pem"

    /// Makes a new key pair and a certificate for it, both as PEM text.
    ///
    /// - Parameters:
    ///   - commonName: the subject and issuer CN, at most 64 characters.
    ///   - subjectAltNames: the DNS names and IP addresses clients connect to, e.g. `"localhost"`,
    ///     `"127.0.0.1"`, `"::1"`; at least one.
    ///   - validDays: how long the certificate is valid from now (it is also valid from an hour ago,
    ///     for clocks that are slightly behind).
    /// - Returns: the certificate, and the unencrypted PKCS#8 private key.
    package static func generate(
        commonName: String,
        subjectAltNames: [String],
        validDays: Int = 825
    ) throws(TLSError) -> (certificatePEM: String, privateKeyPEM: String) {
        guard (1...36_500).contains(validDays) else {
            throw TLSError(.configuration, "a certificate must be valid for 1 to 36500 days, not \(validDays)")
        }
        guard !commonName.isEmpty, commonName.utf8.count <= 64 else {
            throw TLSError(.configuration, "the certificate's common name must be 1 to 64 bytes long, not \"\(commonName)\"")
        }
        let alternativeNames = try subjectAltNameExtensionValue(subjectAltNames)

        ERR_clear_error()
        guard let key = roster_generate_p256_key() else { throw openSSLFailure("cannot generate an ECDSA P-256 key") }
        defer { EVP_PKEY_free(key) }
        guard let certificate = X509_new() else { throw openSSLFailure("cannot create a certificate") }
        defer { X509_free(certificate) }

        try check(X509_set_version(certificate, Int(X509_VERSION_3)) == 1, "cannot set the certificate version")
        try setRandomSerialNumber(certificate)
        try check(X509_gmtime_adj(X509_getm_notBefore(certificate), -3600) != nil, "cannot set the certificate's start time")
        try check(
            X509_time_adj_ex(X509_getm_notAfter(certificate), Int32(validDays), 0, nil) != nil,
            "cannot set the certificate's end time"
        )
        try setSubjectAndIssuer(certificate, commonName: commonName)
        try check(X509_set_pubkey(certificate, key) == 1, "cannot put the public key into the certificate")

        try addExtensions(
            to: certificate,
            [
                (NID_basic_constraints, "critical,CA:TRUE"),
                (NID_key_usage, "critical,digitalSignature,keyCertSign"),
                (NID_ext_key_usage, "serverAuth"),
                (NID_subject_alt_name, alternativeNames),
                (NID_subject_key_identifier, "hash"),
            ]
        )
        try check(X509_sign(certificate, key, EVP_sha256()) > 0, "cannot sign the certificate")

        let certificatePEM = try pem("the certificate") { PEM_write_bio_X509($0, certificate) }
        let privateKeyPEM = try pem("the private key") { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
        return (certificatePEM, privateKeyPEM)
    }

    /// The SHA-256 fingerprint of the first certificate in `certificatePEM`, as uppercase hex pairs
    /// separated by colons: the value `openssl x509 -noout -fingerprint -sha256` prints.
    package static func fingerprintSHA256(certificatePEM: String) throws(TLSError) -> String {
        let certificate = try readCertificate(certificatePEM, from: "the PEM text")
        defer { X509_free(certificate) }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        try check(X509_digest(certificate, EVP_sha256(), &digest, &length) == 1, "cannot compute the certificate's fingerprint")
        let hex = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        for (index, byte) in digest.prefix(Int(length)).enumerated() {
            if index > 0 { text.append(UInt8(ascii: ":")) }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Loads `directory/tls-cert.pem` and `directory/tls-key.pem`, or, when neither exists, creates
    /// the directory (mode 0700) if needed and generates both (the key with mode 0600).
    ///
    /// An existing pair must match. When only one of the two files exists this throws rather than
    /// overwrite anything: the operator restores the missing file or deletes the other.
    ///
    /// - Returns: both paths, the certificate's SHA-256 fingerprint (see ``fingerprintSHA256(certificatePEM:)``),
    ///   and whether the pair was generated by this call.
    package static func loadOrCreate(
        directory: String,
        commonName: String,
        subjectAltNames: [String]
    ) throws(TLSError) -> (certificatePath: String, privateKeyPath: String, fingerprint: String, created: Bool) {
        guard !directory.isEmpty else {
            throw TLSError(.configuration, "no data directory given for the TLS certificate and key: set one")
        }
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        let certificatePath = "\(base)/\(certificateFileName)"
        let privateKeyPath = "\(base)/\(privateKeyFileName)"

        switch (try fileExists(certificatePath), try fileExists(privateKeyPath)) {
        case (true, true):
            let certificatePEM = try readFile(certificatePath)
            try checkKeyMatches(certificatePEM: certificatePEM, certificatePath: certificatePath, privateKeyPath: privateKeyPath)
            return (certificatePath, privateKeyPath, try fingerprintSHA256(certificatePEM: certificatePEM), false)
        case (true, false):
            throw TLSError(
                .configuration,
                "\(certificatePath) exists but its private key \(privateKeyPath) does not: restore the key, or delete "
                    + "\(certificatePath) to have a new certificate generated (clients must then trust the new one), "
                    + "or configure a certificate and key explicitly"
            )
        case (false, true):
            throw TLSError(
                .configuration,
                "\(privateKeyPath) exists but its certificate \(certificatePath) does not: restore the certificate, or "
                    + "delete \(privateKeyPath) to have a new certificate and key generated, or configure a certificate "
                    + "and key explicitly"
            )
        case (false, false):
            try createDirectory(base)
            let generated = try generate(commonName: commonName, subjectAltNames: subjectAltNames)
            try writeNewFile(privateKeyPath, generated.privateKeyPEM, mode: 0o600)
            do {
                try writeNewFile(certificatePath, generated.certificatePEM, mode: 0o644)
            } catch {
                unlink(privateKeyPath)  // never leave a key without its certificate
                throw error
            }
            return (certificatePath, privateKeyPath, try fingerprintSHA256(certificatePEM: generated.certificatePEM), true)
        }
    }

    // MARK: - Certificate pieces

    /// "DNS:localhost,IP:127.0.0.1,…" for X509V3_EXT_nconf_nid, after checking every name, so
    /// that no name can smuggle in another entry.
    private static func subjectAltNameExtensionValue(_ names: [String]) throws(TLSError) -> String {
        guard !names.isEmpty else {
            throw TLSError(.configuration, "a certificate needs at least one subject alternative name, e.g. \"localhost\" or \"127.0.0.1\"")
        }
        var entries: [String] = []
        for name in names {
            if IPAddressText.isLiteral(name) {
                entries.append("IP:\(name)")
                continue
            }
            let allowed = name.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || [UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "*"), UInt8(ascii: "_")].contains(byte)
            }
            guard !name.isEmpty, name.utf8.count <= 253, allowed else {
                throw TLSError(
                    .configuration,
                    "\"\(name)\" is neither an IP address nor a DNS name (letters, digits, '-', '.', '*'): fix the subject alternative name"
                )
            }
            entries.append("DNS:\(name)")
        }
        return entries.joined(separator: ",")
    }

    /// A random positive 128-bit serial number.
    private static func setRandomSerialNumber(_ certificate: OpaquePointer) throws(TLSError) {
        var bytes = [UInt8](repeating: 0, count: 16)
        try check(RAND_bytes(&bytes, Int32(bytes.count)) == 1, "cannot draw a random serial number")
        bytes[0] |= 0x01  // never zero (RFC 5280 requires a positive serial)
        guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else { throw openSSLFailure("cannot make a serial number") }
        defer { BN_free(number) }
        try check(BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nil, "cannot set the serial number")
    }

    private static func setSubjectAndIssuer(_ certificate: OpaquePointer, commonName: String) throws(TLSError) {
        guard let name = X509_NAME_new() else { throw openSSLFailure("cannot create the certificate's name") }
        defer { X509_NAME_free(name) }
        try check(
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, commonName, -1, -1, 0) == 1,
            "cannot use \"\(commonName)\" as the certificate's common name"
        )
        // Both copy the name.
        try check(X509_set_subject_name(certificate, name) == 1, "cannot set the certificate's subject")
        try check(X509_set_issuer_name(certificate, name) == 1, "cannot set the certificate's issuer")
    }

    /// Adds extensions given in OpenSSL's config syntax; the certificate is its own issuer.
    private static func addExtensions(to certificate: OpaquePointer, _ extensions: [(nid: Int32, value: String)]) throws(TLSError) {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, certificate, certificate, nil, nil, 0)
        for (nid, value) in extensions {
            let name = String(cString: OBJ_nid2sn(nid))
            guard let x509Extension = X509V3_EXT_nconf_nid(nil, &context, nid, value) else {
                throw openSSLFailure("cannot build the \(name) extension \"\(value)\"")
            }
            defer { X509_EXTENSION_free(x509Extension) }
            try check(X509_add_ext(certificate, x509Extension, -1) == 1, "cannot add the \(name) extension")
        }
    }

    /// What `write` puts into a memory BIO, as text.
    private static func pem(_ what: String, _ write: (OpaquePointer) -> Int32) throws(TLSError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw openSSLFailure("cannot create a memory BIO for \(what)") }
        defer { BIO_free(bio) }
        try check(write(bio) == 1, "cannot write \(what) as PEM")
        var bytes = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        try check(BIO_read(bio, &bytes, Int32(bytes.count)) == Int32(bytes.count), "cannot read \(what) back as PEM")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses the first certificate of a PEM text; the caller frees it.
    private static func readCertificate(_ pemText: String, from source: String) throws(TLSError) -> OpaquePointer {
        guard let bio = BIO_new(BIO_s_mem()) else { throw openSSLFailure("cannot create a memory BIO") }
        defer { BIO_free(bio) }
        let bytes = Array(pemText.utf8)
        try check(bytes.isEmpty || BIO_write(bio, bytes, Int32(bytes.count)) == Int32(bytes.count), "cannot buffer \(source)")
        ERR_clear_error()
        guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
            throw openSSLFailure("\(source) holds no PEM certificate")
        }
        return certificate
    }

    /// Checks that the key file parses and belongs to the certificate.
    private static func checkKeyMatches(certificatePEM: String, certificatePath: String, privateKeyPath: String) throws(TLSError) {
        let certificate = try readCertificate(certificatePEM, from: certificatePath)
        defer { X509_free(certificate) }
        ERR_clear_error()
        guard let bio = BIO_new_file(privateKeyPath, "r") else { throw openSSLFailure("cannot open \(privateKeyPath)") }
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw openSSLFailure("\(privateKeyPath) holds no unencrypted PEM private key")
        }
        defer { EVP_PKEY_free(key) }
        guard X509_check_private_key(certificate, key) == 1 else {
            throw openSSLFailure(
                "the private key \(privateKeyPath) does not belong to the certificate \(certificatePath): restore the "
                    + "matching pair, or delete both to have a new one generated"
            )
        }
    }

    // MARK: - Files

    private static func fileExists(_ path: String) throws(TLSError) -> Bool {
        var status = stat()
        if stat(path, &status) == 0 { return true }
        let code = errno
        if code == ENOENT { return false }
        throw TLSError(.configuration, "cannot check whether \(path) exists: \(systemError(code))")
    }

    /// `mkdir -p`, new directories with mode 0700.
    private static func createDirectory(_ path: String) throws(TLSError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o700) != 0, errno != EEXIST {
                throw TLSError(.configuration, "cannot create the directory \(prefix): \(systemError(errno))")
            }
            prefix += "/"
        }
    }

    /// Creates `path`, which must not exist yet, with `mode` from the start (O_EXCL: no window in
    /// which a key file is readable by others, and never through a planted symlink).
    private static func writeNewFile(_ path: String, _ contents: String, mode: mode_t) throws(TLSError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw TLSError(.configuration, "cannot create \(path): \(systemError(errno))")
        }
        let bytes = Array(contents.utf8)
        var written = 0
        var failure: Int32?
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result > 0 {
                written += result
            } else if result < 0 && errno == EINTR {
                continue
            } else {
                failure = result < 0 ? errno : EIO
                break
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == nil { failure = errno }
        if let failure {
            unlink(path)
            throw TLSError(.configuration, "cannot write \(path): \(systemError(failure))")
        }
    }

    private static func readFile(_ path: String) throws(TLSError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw TLSError(.configuration, "cannot open \(path): \(systemError(errno))") }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count > 0 {
                contents += chunk[0..<count]
            } else if count == 0 {
                return String(decoding: contents, as: UTF8.self)
            } else if errno != EINTR {
                throw TLSError(.configuration, "cannot read \(path): \(systemError(errno))")
            }
        }
    }

    // MARK: - Errors

    private static func systemError(_ code: Int32) -> String { String(cString: strerror(code)) }

    private static func openSSLFailure(_ what: String) -> TLSError {
        TLSError(.configuration, "\(what): \(TLSContext.drainErrors())")
    }

    private static func check(_ condition: Bool, _ what: @autoclosure () -> String) throws(TLSError) {
        guard condition else { throw openSSLFailure(what()) }
    }
}
