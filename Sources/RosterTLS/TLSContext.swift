internal import COpenSSL

/// A configured OpenSSL `SSL_CTX`, shared by every connection of one server or client.
///
/// `@unchecked Sendable`: the context is fully configured in `init` and never changed after,
/// and OpenSSL documents `SSL_new` on a shared, unchanging `SSL_CTX` as thread-safe.
package final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer
    /// The ``TLSHandler``s made from this context that are alive.
    package let liveHandlers = LiveObjects()
    /// True for a server context.
    package let isServer: Bool

    /// A server context: certificate chain and key from PEM files, optional client CA (mutual TLS).
    package init(server configuration: TLSConfiguration.Server) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw TLSError(.configuration, "OpenSSL could not create a server context: \(Self.drainErrors())")
        }
        self.context = context
        self.isServer = true
        try applyCommonSettings()
        try check(
            SSL_CTX_use_certificate_chain_file(context, configuration.certificateChainPath) == 1,
            "cannot load the certificate chain from \(configuration.certificateChainPath)"
        )
        try check(
            SSL_CTX_use_PrivateKey_file(context, configuration.privateKeyPath, SSL_FILETYPE_PEM) == 1,
            "cannot load the private key from \(configuration.privateKeyPath)"
        )
        try check(SSL_CTX_check_private_key(context) == 1, "the private key does not match the certificate")
        roster_SSL_CTX_require_alpn(context)
        if let clientCAPath = configuration.clientCAPath {
            try check(
                SSL_CTX_load_verify_locations(context, clientCAPath, nil) == 1,
                "cannot load the client CA file \(clientCAPath)"
            )
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
    }

    /// A client context: trusts `caFilePath` (or the system roots), optionally presents a certificate.
    package init(client configuration: TLSConfiguration.Client) throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError(.configuration, "OpenSSL could not create a client context: \(Self.drainErrors())")
        }
        self.context = context
        self.isServer = false
        try applyCommonSettings()
        if let caFilePath = configuration.caFilePath {
            try check(
                SSL_CTX_load_verify_locations(context, caFilePath, nil) == 1,
                "cannot load the CA file \(caFilePath)"
            )
        } else {
            try check(SSL_CTX_set_default_verify_paths(context) == 1, "cannot load the system's trusted roots")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        try check(roster_SSL_CTX_offer_alpn(context) == 1, "cannot set ALPN")
        if let chain = configuration.certificateChainPath, let key = configuration.privateKeyPath {
            try check(
                SSL_CTX_use_certificate_chain_file(context, chain) == 1,
                "cannot load the client certificate \(chain)"
            )
            try check(
                SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1,
                "cannot load the client key \(key)"
            )
            try check(SSL_CTX_check_private_key(context) == 1, "the client key does not match its certificate")
        }
    }

    deinit {
        SSL_CTX_free(context)
    }

    private func applyCommonSettings() throws {
        try check(
            roster_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1,
            "cannot set TLS 1.2 as the minimum"
        )
        // TLS 1.2 suites: ECDHE key exchange with AEAD ciphers only. TLS 1.3 suites are all AEAD.
        let suites = [
            "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
        ]
        try check(SSL_CTX_set_cipher_list(context, suites.joined(separator: ":")) == 1, "cannot set the TLS 1.2 suites")
        SSL_CTX_set_options(
            context,
            roster_SSL_OP_NO_RENEGOTIATION() | roster_SSL_OP_NO_COMPRESSION() | roster_SSL_OP_NO_TICKET()
                | roster_SSL_OP_CIPHER_SERVER_PREFERENCE()
        )
        // No resumption is implemented, so no session cache and no TLS 1.3 tickets.
        _ = roster_SSL_CTX_set_session_cache_mode(context, Int(SSL_SESS_CACHE_OFF))
        SSL_CTX_set_num_tickets(context, 0)
    }

    private func check(_ condition: Bool, _ what: @autoclosure () -> String) throws {
        guard condition else { throw TLSError(.configuration, "\(what()): \(Self.drainErrors())") }
    }

    /// Empties this thread's OpenSSL error queue into one line.
    static func drainErrors() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? "no OpenSSL reason given" : reasons.joined(separator: "; ")
    }
}
