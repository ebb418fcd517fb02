/// What the handshake established about the other side; sent down the pipeline as a user
/// event (``TLSHandshakeCompleted``) when the handshake completes.
package struct TLSPeer: Sendable, Hashable {
    /// The negotiated protocol version, e.g. "TLSv1.3".
    package var protocolVersion: String
    /// The negotiated cipher suite, e.g. "TLS_AES_256_GCM_SHA384".
    package var cipher: String
    /// The peer certificate's subject, e.g. "/CN=ops-laptop"; nil when it sent none.
    package var subject: String?
    /// The peer certificate's DNS and IP subject alternative names, e.g. ["DNS:ops", "IP:127.0.0.1"].
    package var subjectAlternativeNames: [String]

    package init(protocolVersion: String, cipher: String, subject: String?, subjectAlternativeNames: [String]) {
        self.protocolVersion = protocolVersion
        self.cipher = cipher
        self.subject = subject
        self.subjectAlternativeNames = subjectAlternativeNames
    }
}

/// The user event a ``TLSHandler`` fires once the handshake is done and ALPN is `roster/1`.
package struct TLSHandshakeCompleted: Sendable, Hashable {
    package var peer: TLSPeer
}
