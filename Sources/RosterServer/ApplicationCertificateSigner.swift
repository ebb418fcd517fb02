internal import RosterDirectory
internal import RosterTLS

/// The server application's certificate (RosterTLS, OpenSSL) as the directory's client-assertion
/// signer (RosterDirectory, which knows no OpenSSL).
struct ApplicationCertificateSigner: ClientAssertionSigner {
    let certificate: ApplicationCertificate

    var thumbprintSHA256: [UInt8] { certificate.thumbprintSHA256 }

    func signRS256(_ message: [UInt8]) throws -> [UInt8] {
        try certificate.signRS256(message)
    }
}
