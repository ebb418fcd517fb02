/// How a TLS endpoint is set up. Roster always speaks TLS 1.3 or 1.2 (ECDHE + AEAD suites only),
/// with ALPN `roster/1`, no renegotiation, no compression and no session tickets.
package enum TLSConfiguration {
    /// A server: its certificate chain and key, and optionally the CA that client certificates
    /// must chain to (mutual TLS).
    package struct Server: Sendable {
        /// PEM file with the leaf certificate first, then intermediates.
        package var certificateChainPath: String
        /// PEM file with the private key.
        package var privateKeyPath: String
        /// When set, every client must present a certificate that chains to this PEM CA file.
        package var clientCAPath: String?

        package init(certificateChainPath: String, privateKeyPath: String, clientCAPath: String? = nil) {
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
            self.clientCAPath = clientCAPath
        }
    }

    /// A client: what it trusts, and optionally its own certificate for mutual TLS.
    package struct Client: Sendable {
        /// PEM file of the CA(s) to trust; nil trusts the system's roots.
        package var caFilePath: String?
        /// PEM certificate chain presented to servers that require client certificates.
        package var certificateChainPath: String?
        /// PEM private key for `certificateChainPath`.
        package var privateKeyPath: String?

        package init(caFilePath: String? = nil, certificateChainPath: String? = nil, privateKeyPath: String? = nil) {
            self.caFilePath = caFilePath
            self.certificateChainPath = certificateChainPath
            self.privateKeyPath = privateKeyPath
        }
    }
}
