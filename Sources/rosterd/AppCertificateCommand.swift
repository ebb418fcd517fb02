import ArgumentParser
internal import Foundation
import RosterTLS

/// `rosterd app-certificate create`: the key pair of the server's application, for certificate
/// credentials instead of a client secret.
struct AppCertificate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app-certificate",
        abstract: "Make the certificate the server's application authenticates with (instead of a secret).",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make an RSA-2048 key (DATA/app-key.pem, 0600) and certificate (DATA/app-cert.pem) and print it.",
            discussion: """
                Upload the printed certificate to the app registration (Certificates & secrets → \
                Certificates → Upload certificate), then start rosterd with --app-client-id ID \
                --app-certificate. To rotate: run this again with --replace (the old pair becomes \
                *.previous), upload the new certificate, restart rosterd, then delete the old \
                certificate from the app registration.
                """
        )

        @OptionGroup var data: DataDirectoryOption

        @Flag(help: "Replace an existing pair (kept as app-cert.pem.previous and app-key.pem.previous).")
        var replace = false

        func run() async throws {
            let directory = try data.directory()
            let certificate: ApplicationCertificate
            do {
                certificate = try ApplicationCertificate.create(directory: directory, replace: replace)
            } catch {
                throw ValidationError("\(error)")
            }
            let thumbprint = certificate.thumbprintSHA256.map { String(format: "%02X", $0) }.joined()
            print(certificate.certificatePEM, terminator: "")
            FileHandle.standardError.write(
                Data(
                    """
                    wrote \(directory)/\(ApplicationCertificate.certificateFileName) and \
                    \(ApplicationCertificate.privateKeyFileName) (0600); SHA-256 thumbprint \(thumbprint)
                    upload the certificate above to the app registration, then run rosterd serve --app-certificate

                    """.utf8
                )
            )
        }
    }
}
