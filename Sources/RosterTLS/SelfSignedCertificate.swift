internal import COpenSSL

/// The self-signed certificate `rosterd` makes for itself when no certificate and key are
/// configured: an ECDSA P-256 key and an X.509 v3 certificate that is its own CA.
///
/// Because the certificate has `CA:TRUE`, a client trusts the server by using the certificate file
/// itself as its CA file (``TLSConfiguration/Client/caFilePath``); operators compare the SHA-256
/// fingerprint the server prints with `openssl x509 -noout -fingerprint -sha256 -in tls-cert.pem`.
///
/// This file makes and reads the X.509 pieces; where the pair lives and when it is made is
/// `SelfSignedCertificate+LoadOrCreate.swift`, and the key file's POSIX handling is `SecretFiles`.
package enum SelfSignedCertificate {
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
            throw TLSError(
                .configuration,
                "the certificate's common name must be 1 to 64 bytes long, not \"\(commonName)\""
            )
        }
        let alternativeNames = try subjectAltNameExtensionValue(subjectAltNames)

        ERR_clear_error()
        guard let key = roster_generate_p256_key() else { throw openSSLFailure("cannot generate an ECDSA P-256 key") }
        defer { EVP_PKEY_free(key) }
        guard let certificate = X509_new() else { throw openSSLFailure("cannot create a certificate") }
        defer { X509_free(certificate) }

        try check(X509_set_version(certificate, Int(X509_VERSION_3)) == 1, "cannot set the certificate version")
        try setRandomSerialNumber(certificate)
        try check(
            X509_gmtime_adj(X509_getm_notBefore(certificate), -3600) != nil,
            "cannot set the certificate's start time"
        )
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
        try check(
            X509_digest(certificate, EVP_sha256(), &digest, &length) == 1,
            "cannot compute the certificate's fingerprint"
        )
        let hex = Array("0123456789ABCDEF".utf8)
        var text: [UInt8] = []
        for (index, byte) in digest.prefix(Int(length)).enumerated() {
            if index > 0 { text.append(UInt8(ascii: ":")) }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    // MARK: - Certificate pieces

    /// "DNS:localhost,IP:127.0.0.1,…" for X509V3_EXT_nconf_nid, after checking every name, so
    /// that no name can smuggle in another entry.
    private static func subjectAltNameExtensionValue(_ names: [String]) throws(TLSError) -> String {
        guard !names.isEmpty else {
            throw TLSError(
                .configuration,
                "a certificate needs at least one subject alternative name, e.g. \"localhost\" or \"127.0.0.1\""
            )
        }
        var entries: [String] = []
        for name in names {
            if IPAddressText.isLiteral(name) {
                entries.append("IP:\(name)")
                continue
            }
            let allowed = name.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
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
    static func setRandomSerialNumber(_ certificate: OpaquePointer) throws(TLSError) {
        var bytes = [UInt8](repeating: 0, count: 16)
        try check(RAND_bytes(&bytes, Int32(bytes.count)) == 1, "cannot draw a random serial number")
        bytes[0] |= 0x01  // never zero (RFC 5280 requires a positive serial)
        guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else {
            throw openSSLFailure("cannot make a serial number")
        }
        defer { BN_free(number) }
        try check(BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nil, "cannot set the serial number")
    }

    static func setSubjectAndIssuer(_ certificate: OpaquePointer, commonName: String) throws(TLSError) {
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
    static func addExtensions(to certificate: OpaquePointer, _ extensions: [(nid: Int32, value: String)])
        throws(TLSError)
    {
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
    static func pem(_ what: String, _ write: (OpaquePointer) -> Int32) throws(TLSError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw openSSLFailure("cannot create a memory BIO for \(what)") }
        defer { BIO_free(bio) }
        try check(write(bio) == 1, "cannot write \(what) as PEM")
        var bytes = [UInt8](repeating: 0, count: Int(BIO_ctrl_pending(bio)))
        try check(BIO_read(bio, &bytes, Int32(bytes.count)) == Int32(bytes.count), "cannot read \(what) back as PEM")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses the first certificate of a PEM text; the caller frees it.
    static func readCertificate(_ pemText: String, from source: String) throws(TLSError) -> OpaquePointer {
        let bio = try memoryBIO(holding: pemText, from: source)
        defer { BIO_free(bio) }
        guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
            throw openSSLFailure("\(source) holds no PEM certificate")
        }
        return certificate
    }

    /// Whether `privateKeyPEM` is the private key of the first certificate in `certificatePEM`;
    /// throws when either does not parse (`keySource` and `certificateSource` name them). When it
    /// is not, OpenSSL's reason is left on its error queue for ``openSSLFailure(_:)``.
    static func privateKey(
        _ privateKeyPEM: String,
        from keySource: String,
        belongsTo certificatePEM: String,
        from certificateSource: String
    ) throws(TLSError) -> Bool {
        let certificate = try readCertificate(certificatePEM, from: certificateSource)
        defer { X509_free(certificate) }
        let bio = try memoryBIO(holding: privateKeyPEM, from: keySource)
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
            throw openSSLFailure("\(keySource) holds no unencrypted PEM private key")
        }
        defer { EVP_PKEY_free(key) }
        return X509_check_private_key(certificate, key) == 1
    }

    /// A memory BIO holding `text`, the error queue cleared; the caller frees it.
    static func memoryBIO(holding text: String, from source: String) throws(TLSError) -> OpaquePointer {
        guard let bio = BIO_new(BIO_s_mem()) else { throw openSSLFailure("cannot create a memory BIO") }
        let bytes = Array(text.utf8)
        guard bytes.isEmpty || BIO_write(bio, bytes, Int32(bytes.count)) == Int32(bytes.count) else {
            BIO_free(bio)
            throw openSSLFailure("cannot buffer \(source)")
        }
        ERR_clear_error()
        return bio
    }

    // MARK: - Errors

    /// A configuration error: `what`, then the reasons OpenSSL queued.
    static func openSSLFailure(_ what: String) -> TLSError {
        TLSError(.configuration, "\(what): \(TLSContext.drainErrors())")
    }

    static func check(_ condition: Bool, _ what: @autoclosure () -> String) throws(TLSError) {
        guard condition else { throw openSSLFailure(what()) }
    }
}
