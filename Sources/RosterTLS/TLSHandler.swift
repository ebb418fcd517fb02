internal import COpenSSL
package import NIOCore

/// Runs OpenSSL over two memory BIOs inside a NIO pipeline: ciphertext in and out on the
/// network side, plaintext in and out on the application side.
///
/// Confined to its channel's event loop (so is its `SSL*`). Application writes are held until the
/// handshake completes, then encrypted together at each flush, so many small messages become few
/// TLS records. The error queue is cleared before every OpenSSL call.
package final class TLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = ByteBuffer
    package typealias InboundOut = ByteBuffer
    package typealias OutboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    /// Which end of the handshake this is.
    package enum Role: Sendable {
        case server
        /// `serverName`: a DNS name (checked against the certificate and sent as SNI) or an IP
        /// address, bare or IPv6 in brackets (checked against the certificate's IP SANs; see
        /// ``IPAddressText/address(inHost:)``).
        case client(serverName: String)
    }

    /// OpenSSL's largest record payload; larger writes are split.
    private static let maxRecord = 16_384

    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private let role: Role
    private let live: LiveObjects
    private var machine = TLSStateMachine()
    private var pendingPlaintext: ByteBuffer?
    private var pendingPromises: [EventLoopPromise<Void>] = []

    package init(context: TLSContext, role: Role) throws {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context), let readBIO = BIO_new(BIO_s_mem()),
            let writeBIO = BIO_new(BIO_s_mem())
        else {
            throw TLSError(.configuration, "OpenSSL could not create a connection: \(TLSContext.drainErrors())")
        }
        // An empty read BIO means "no more bytes yet", not end of file.
        _ = roster_BIO_set_mem_eof_return(readBIO, -1)
        SSL_set_bio(ssl, readBIO, writeBIO)  // ssl now owns both BIOs
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
        self.role = role
        self.live = context.liveHandlers
        live.created()
        // From here on a throw runs deinit, which frees the SSL object.
        switch role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client(let serverName):
            SSL_set_connect_state(ssl)
            // Without a name or address to check, OpenSSL would accept any certificate the CA
            // signed (it takes an empty name as "check no name").
            guard !serverName.isEmpty, Self.checkCertificate(ssl, for: serverName) else {
                throw TLSError(
                    .configuration,
                    "cannot check the server's certificate for \"\(serverName)\": \(TLSContext.drainErrors())"
                )
            }
        }
    }

    /// Has the handshake check the server's certificate for `serverName`: its IP SANs for an
    /// address, else its DNS names (the name is also sent as SNI). False when OpenSSL refuses.
    private static func checkCertificate(_ ssl: OpaquePointer, for serverName: String) -> Bool {
        if let address = IPAddressText.address(inHost: serverName) {
            return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), address) == 1
        }
        _ = roster_SSL_set_tlsext_host_name(ssl, serverName)
        return SSL_set1_host(ssl, serverName) == 1
    }

    deinit {
        live.destroyed()
        SSL_free(ssl)
    }

    // MARK: - Lifecycle

    package func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    package func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        let isClient = { if case .client = role { return true } else { return false } }()
        if machine.start(isClient: isClient) == .beginHandshake { handshake(context: context) }
    }

    package func channelInactive(context: ChannelHandlerContext) {
        let action = machine.channelInactive()
        failPending(TLSError(.unexpectedEOF, "the connection closed before the data could be encrypted and sent"))
        if case .reportError(let error) = action { context.fireErrorCaught(error) }
        context.fireChannelInactive()
    }

    // MARK: - Inbound

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { bytes in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return }
            _ = BIO_write(readBIO, base, Int32(bytes.count))  // a memory BIO takes everything
        }
        switch machine.bytesReceived() {
        case .continueHandshake: handshake(context: context)
        case .readPlaintext: readPlaintext(context: context)
        case .ignore: break
        }
    }

    private func handshake(context: ChannelHandlerContext) {
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            flushCiphertext(context: context, promise: nil)
            completeHandshake(context: context)
            return
        }
        let error = SSL_get_error(ssl, result)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE {
            flushCiphertext(context: context, promise: nil)
            return
        }
        fail(context: context, handshakeError())
    }

    private func completeHandshake(context: ChannelHandlerContext) {
        var alpn: UnsafePointer<UInt8>?
        var alpnLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &alpn, &alpnLength)
        let selected = alpn.map {
            String(decoding: UnsafeBufferPointer(start: $0, count: Int(alpnLength)), as: UTF8.self)
        }
        switch machine.handshakeCompleted(alpn: selected) {
        case .fail(let error):
            fail(context: context, error)
        case .completed:
            context.fireUserInboundEventTriggered(TLSHandshakeCompleted(peer: peer()))
            if pendingPlaintext != nil { flush(context: context) }
            readPlaintext(context: context)
        }
    }

    private func readPlaintext(context: ChannelHandlerContext) {
        // Records are decrypted straight into one buffer sized by the ciphertext at hand (the
        // plaintext is never longer): no copy out of a scratch record, no regrowing buffer
        // (a 4 MiB request once cost three extra copies of itself), and a small read gets a
        // small buffer.
        var output: ByteBuffer?
        reading: while true {
            let held = Int(BIO_ctrl_pending(readBIO)) + Int(SSL_pending(ssl))
            guard held > 0 || SSL_has_pending(ssl) == 1 else { break reading }
            let room = max(held, 512)
            if output == nil {
                output = context.channel.allocator.buffer(capacity: room)
            } else if output!.writableBytes < room {
                output!.reserveCapacity(minimumWritableBytes: room)
            }
            ERR_clear_error()
            var result: Int32 = 0
            output!.writeWithUnsafeMutableBytes(minimumWritableBytes: 0) { free in
                result = SSL_read(ssl, free.baseAddress, Int32(min(free.count, Int(Int32.max))))
                return max(0, Int(result))
            }
            if result > 0 { continue }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                break reading
            case SSL_ERROR_ZERO_RETURN:
                machine.closeNotifyReceived()
                break reading
            default:
                if let output, output.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(output)) }
                fail(context: context, TLSError(.protocolError, TLSContext.drainErrors()))
                return
            }
        }
        // Reading can produce output too (TLS 1.3 key updates, alerts).
        flushCiphertext(context: context, promise: nil)
        if let output, output.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(output)) }
        if machine.receivedCloseNotify { close(context: context, mode: .all, promise: nil) }
    }

    // MARK: - Outbound

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .refuse(let error) = machine.write() {
            promise?.fail(error)
            return
        }
        var buffer = unwrapOutboundIn(data)
        if pendingPlaintext == nil {
            pendingPlaintext = buffer
        } else {
            pendingPlaintext!.writeBuffer(&buffer)
        }
        if let promise { pendingPromises.append(promise) }
    }

    package func flush(context: ChannelHandlerContext) {
        guard machine.flush() == .encrypt, var plaintext = pendingPlaintext else { return }
        pendingPlaintext = nil
        while plaintext.readableBytes > 0 {
            let count = min(plaintext.readableBytes, Self.maxRecord)
            ERR_clear_error()
            let written = plaintext.withUnsafeReadableBytes { SSL_write(ssl, $0.baseAddress, Int32(count)) }
            guard written > 0 else {
                fail(context: context, TLSError(.protocolError, TLSContext.drainErrors()))
                return
            }
            plaintext.moveReaderIndex(forwardBy: Int(written))
        }
        var promise: EventLoopPromise<Void>?
        if !pendingPromises.isEmpty {
            let promises = pendingPromises
            pendingPromises = []
            let combined = context.eventLoop.makePromise(of: Void.self)
            combined.futureResult.whenComplete { result in promises.forEach { $0.completeWith(result) } }
            promise = combined
        }
        flushCiphertext(context: context, promise: promise)
    }

    package func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all else {
            context.close(mode: mode, promise: promise)
            return
        }
        if machine.state == .active {
            flush(context: context)
        }
        if machine.close() == .sendCloseNotifyAndClose {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)  // queues our close_notify
            flushCiphertext(context: context, promise: nil)
        }
        failPending(TLSError(.protocolError, "the TLS connection was closed"))
        context.close(mode: mode, promise: promise)
    }

    /// Sends whatever OpenSSL has written to the network BIO.
    private func flushCiphertext(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let pending = Int(BIO_ctrl_pending(writeBIO))
        guard pending > 0 else {
            promise?.succeed()
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: pending)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: pending) { pointer in
            Int(max(BIO_read(writeBIO, pointer.baseAddress, Int32(pending)), 0))
        }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: promise)
    }

    // MARK: - Failures

    private func fail(context: ChannelHandlerContext, _ error: TLSError) {
        flushCiphertext(context: context, promise: nil)  // send the alert, if any
        machine.failed()
        failPending(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func failPending(_ error: any Error) {
        pendingPlaintext = nil
        let promises = pendingPromises
        pendingPromises = []
        promises.forEach { $0.fail(error) }
    }

    private func handshakeError() -> TLSError {
        let verifyResult = SSL_get_verify_result(ssl)
        let reasons = TLSContext.drainErrors()
        if verifyResult != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verifyResult))
            return TLSError(
                .certificateVerificationFailed,
                "the peer's certificate did not verify: \(reason) (\(reasons))"
            )
        }
        if reasons.contains("no application protocol") {
            return TLSError(.alpnMismatch, "the peer does not speak ALPN \"roster/1\" (\(reasons))")
        }
        return TLSError(.handshakeFailed, "TLS handshake failed: \(reasons)")
    }

    private func peer() -> TLSPeer {
        let version = String(cString: SSL_get_version(ssl))
        let cipher = SSL_get_current_cipher(ssl).map { String(cString: SSL_CIPHER_get_name($0)) } ?? "unknown"
        guard let certificate = SSL_get1_peer_certificate(ssl) else {
            return TLSPeer(protocolVersion: version, cipher: cipher, subject: nil, subjectAlternativeNames: [])
        }
        defer { X509_free(certificate) }
        var subject: String?
        if let line = X509_NAME_oneline(X509_get_subject_name(certificate), nil, 0) {
            subject = String(cString: line)
            roster_OPENSSL_free(line)
        }
        var names = [CChar](repeating: 0, count: 1024)
        _ = roster_copy_subject_alt_names(certificate, &names, Int32(names.count))
        let joined = String(decoding: names.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return TLSPeer(
            protocolVersion: version,
            cipher: cipher,
            subject: subject,
            subjectAlternativeNames: joined.isEmpty ? [] : joined.split(separator: ",").map(String.init)
        )
    }
}
