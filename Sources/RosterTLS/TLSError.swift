/// A TLS failure, with OpenSSL's own reason where it gave one.
package struct TLSError: Error, Hashable, Sendable, CustomStringConvertible {
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case configuration, handshakeFailed, certificateVerificationFailed, alpnMismatch, unexpectedEOF,
                protocolError
        }
        private let base: Base

        /// A certificate, key or CA file could not be loaded or does not match.
        package static let configuration = Code(base: .configuration)
        /// The handshake failed (protocol version, cipher, alert from the peer…).
        package static let handshakeFailed = Code(base: .handshakeFailed)
        /// The peer's certificate did not verify (untrusted, expired, wrong host name…).
        package static let certificateVerificationFailed = Code(base: .certificateVerificationFailed)
        /// The peer does not speak ALPN `roster/1`.
        package static let alpnMismatch = Code(base: .alpnMismatch)
        /// The peer closed TCP without sending TLS close_notify.
        package static let unexpectedEOF = Code(base: .unexpectedEOF)
        /// A TLS error after the handshake (bad record, decryption failure…).
        package static let protocolError = Code(base: .protocolError)

        package var description: String { base.rawValue }
    }

    package var code: Code
    /// What happened, in words, including OpenSSL's reason.
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "TLS \(code): \(message)" }
}
