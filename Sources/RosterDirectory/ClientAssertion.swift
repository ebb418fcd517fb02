package import Foundation

/// Signs client assertions: the certificate credential of an app registration, in place of a
/// client secret. The key stays with the signer (rosterd's is `ApplicationCertificate`).
package protocol ClientAssertionSigner: Sendable {
    /// SHA-256 of the certificate's DER bytes, as uploaded to the app registration.
    var thumbprintSHA256: [UInt8] { get }
    /// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) of `message`.
    func signRS256(_ message: [UInt8]) throws -> [UInt8]
}

/// The JWT a client presents as `client_assertion` (Microsoft identity platform, certificate
/// credentials): header `alg` RS256 with the certificate's `x5t#S256`; claims `aud` the token
/// endpoint, `iss` and `sub` the client id, a fresh `jti`, `nbf`/`iat` now and `exp` ten minutes on.
package enum ClientAssertion {
    /// How long an assertion is valid.
    static let lifetime: TimeInterval = 600

    package static func make(
        clientID: String,
        tokenEndpoint: String,
        signer: any ClientAssertionSigner,
        now: Date = Date()
    ) throws -> String {
        let header: [String: String] = [
            "alg": "RS256", "typ": "JWT", "x5t#S256": base64URL(Data(signer.thumbprintSHA256)),
        ]
        let issued = Int(now.timeIntervalSince1970)
        let claims: [String: Any] = [
            "aud": tokenEndpoint, "iss": clientID, "sub": clientID, "jti": UUID().uuidString.lowercased(),
            "nbf": issued, "iat": issued, "exp": issued + Int(lifetime),
        ]
        let signingInput =
            base64URL(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) + "."
            + base64URL(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
        let signature = try signer.signRS256(Array(signingInput.utf8))
        return signingInput + "." + base64URL(Data(signature))
    }

    /// Base64url without padding (RFC 7515 §2).
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
