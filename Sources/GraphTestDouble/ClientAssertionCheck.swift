package import Foundation
internal import RosterTLS

/// The token endpoint's checks of a client assertion, with Entra ID's error codes: the
/// certificate named by `x5t#S256` must be the uploaded one and have signed it (AADSTS700027),
/// `iss` and `sub` must be the client id (AADSTS700021), `aud` the token endpoint (AADSTS700023),
/// and now must lie between `nbf` and `exp` (AADSTS700024).
package enum ClientAssertionCheck {
    /// Nil when the assertion is accepted; otherwise the AADSTS code and text.
    package static func refusal(
        _ assertion: String,
        clientID: String,
        audience: String,
        certificatePEM: String?,
        now: Date
    ) -> (Int, String)? {
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let header = object(parts[0]), let claims = object(parts[1]),
            let signature = bytes(parts[2])
        else {
            return (50027, "JWT token is invalid or malformed.")
        }
        guard header["alg"] as? String == "RS256", let certificatePEM,
            let thumbprint = try? ApplicationCertificate.thumbprint(certificatePEM),
            header["x5t#S256"] as? String == base64URL(thumbprint)
        else {
            return (
                700027,
                "The certificate with identifier used to sign the client assertion is not registered on application."
            )
        }
        guard
            ApplicationCertificate.verifyRS256(
                signature: signature,
                of: Array((parts[0] + "." + parts[1]).utf8),
                certificatePEM: certificatePEM
            )
        else {
            return (700027, "Client assertion contains an invalid signature.")
        }
        guard claims["iss"] as? String == clientID, claims["sub"] as? String == clientID else {
            return (700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
        }
        guard claims["aud"] as? String == audience else {
            return (700023, "Client assertion audience claim does not match Realm issuer.")
        }
        let time = now.timeIntervalSince1970
        guard let notBefore = claims["nbf"] as? Double, let expires = claims["exp"] as? Double,
            notBefore <= time + 300, time < expires
        else {
            return (700024, "Client assertion is not within its valid time range.")
        }
        return nil
    }

    private static func object(_ part: String) -> [String: Any]? {
        bytes(part).flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }
    }

    private static func bytes(_ part: String) -> [UInt8]? {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        text += String(repeating: "=", count: (4 - text.count % 4) % 4)
        return Data(base64Encoded: text).map(Array.init)
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
