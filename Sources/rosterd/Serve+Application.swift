import ArgumentParser
internal import Foundation
import RosterServer
import RosterTLS
import SecretFiles

// The server's own multi-tenant application (admin consent): its client id and credential.
extension Serve {
    /// The server's application from flags, environment and file: a client id with exactly one
    /// credential (a secret file, or the certificate in the data directory), or nothing.
    func application(
        environment: [String: String],
        file: ConfigurationFile.Application?,
        dataDirectory: String
    ) throws -> RosterServerConfiguration.Application? {
        let clientID = appClientID ?? environment["ROSTERD_APP_CLIENT_ID"] ?? file?.clientID
        let secretFile = appClientSecretFile ?? environment["ROSTERD_APP_CLIENT_SECRET_FILE"] ?? file?.clientSecretFile
        let certificate = appCertificate || environment["ROSTERD_APP_CERTIFICATE"] == "1" || file?.certificate == true
        let redirect =
            appConsentRedirectURI ?? environment["ROSTERD_APP_CONSENT_REDIRECT_URI"] ?? file?.consentRedirectURI
        guard let clientID else {
            guard secretFile == nil, redirect == nil, !certificate else {
                throw ConfigurationError(
                    "--app-client-secret-file, --app-certificate and --app-consent-redirect-uri need --app-client-id"
                )
            }
            return nil
        }
        if let redirect, !redirect.hasPrefix("https://"), !redirect.hasPrefix("http://localhost") {
            throw ConfigurationError(
                "the consent redirect URI \(redirect) must be an https:// URL of the app registration"
            )
        }
        if certificate {
            guard secretFile == nil else {
                throw ConfigurationError("give the application a certificate or a secret file, not both")
            }
            do {
                let loaded = try ApplicationCertificate.load(directory: dataDirectory)
                return .init(clientID: clientID, certificate: loaded, consentRedirectURI: redirect)
            } catch {
                throw ConfigurationError("\(error)")
            }
        }
        guard let secretFile else {
            throw ConfigurationError(
                "--app-client-id needs a credential: --app-certificate (recommended; `rosterd app-certificate create`) "
                    + "or --app-client-secret-file, a file (mode 0600) holding the application's client secret"
            )
        }
        let secret: String
        do {
            secret = String(decoding: try SecretFile.contents(of: secretFile, ownerOnly: true), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw ConfigurationError("cannot read the application's client secret: \(error)")
        }
        guard !clientID.isEmpty, !secret.isEmpty else {
            throw ConfigurationError("the application's client id and client secret must not be empty")
        }
        return .init(clientID: clientID, clientSecret: secret, consentRedirectURI: redirect)
    }
}
