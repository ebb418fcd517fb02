internal import COpenSSL

/// AES-256-GCM encryption of small secrets (tenants' client secrets) under the master key.
///
/// Sealed format: a format byte (1), a random 12-byte nonce, the ciphertext, the 16-byte tag.
/// The tenant id is the additional authenticated data, so a secret copied onto another tenant's
/// row fails to open instead of being used for the wrong directory.
package struct SecretBox: Sendable {
    private static let format: UInt8 = 1
    private static let nonceLength = 12
    private static let tagLength = 16

    private let key: MasterKey

    /// A box that seals and opens with `key`.
    package init(key: MasterKey) { self.key = key }

    /// Encrypts `plaintext`, binding it to `associatedData`.
    package func seal(_ plaintext: String, associatedData: String) throws(StoreError) -> [UInt8] {
        let nonce = try SecureRandom.bytes(Self.nonceLength)
        let failure = StoreError(.crypto, "AES-256-GCM encryption failed in OpenSSL (error \(ERR_get_error()))")
        let context = try Self.context(encrypt: true, key: key.bytes, nonce: nonce)
        defer { EVP_CIPHER_CTX_free(context) }
        let input = Array(plaintext.utf8)
        let aad = Array(associatedData.utf8)
        var output = [UInt8](repeating: 0, count: input.count + Self.tagLength)
        var length: Int32 = 0
        guard EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1,
            EVP_EncryptUpdate(context, &output, &length, input, Int32(input.count)) == 1
        else { throw failure }
        var produced = Int(length)
        let finished = output.withUnsafeMutableBufferPointer {
            EVP_EncryptFinal_ex(context, $0.baseAddress! + produced, &length)
        }
        guard finished == 1 else { throw failure }
        produced += Int(length)
        var tag = [UInt8](repeating: 0, count: Self.tagLength)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagLength), &tag) == 1 else {
            throw failure
        }
        return [Self.format] + nonce + output.prefix(produced) + tag
    }

    /// Decrypts what `seal` produced with the same key and `associatedData`.
    package func open(_ sealed: [UInt8], associatedData: String) throws(StoreError) -> String {
        guard sealed.count >= 1 + Self.nonceLength + Self.tagLength, sealed[0] == Self.format else {
            throw StoreError(.crypto, "a stored secret is damaged or of an unknown format; set the client secret again")
        }
        let failure = StoreError(
            .crypto,
            "a stored secret does not open with this master key (wrong key file, or the row was altered); "
                + "restore the original master.key or set the client secret again"
        )
        let nonce = Array(sealed[1...Self.nonceLength])
        let input = Array(sealed[(1 + Self.nonceLength)..<(sealed.count - Self.tagLength)])
        var tag = Array(sealed.suffix(Self.tagLength))
        let context = try Self.context(encrypt: false, key: key.bytes, nonce: nonce)
        defer { EVP_CIPHER_CTX_free(context) }
        let aad = Array(associatedData.utf8)
        var output = [UInt8](repeating: 0, count: input.count + Self.tagLength)
        var length: Int32 = 0
        guard EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1,
            EVP_DecryptUpdate(context, &output, &length, input, Int32(input.count)) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagLength), &tag) == 1
        else { throw failure }
        var produced = Int(length)
        // The tag is checked here: a wrong key, nonce, AAD or ciphertext fails.
        let finished = output.withUnsafeMutableBufferPointer {
            EVP_DecryptFinal_ex(context, $0.baseAddress! + produced, &length)
        }
        guard finished == 1 else { throw failure }
        produced += Int(length)
        return String(decoding: output.prefix(produced), as: UTF8.self)
    }

    /// A cipher context set up for AES-256-GCM with `key` and a 12-byte `nonce`.
    private static func context(encrypt: Bool, key: [UInt8], nonce: [UInt8]) throws(StoreError) -> OpaquePointer {
        guard let context = EVP_CIPHER_CTX_new() else {
            throw StoreError(.crypto, "OpenSSL could not allocate a cipher context (out of memory?)")
        }
        let ok =
            encrypt
            ? EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1
                && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1
                && EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1
            : EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1
                && EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1
                && EVP_DecryptInit_ex(context, nil, nil, key, nonce) == 1
        guard ok else {
            EVP_CIPHER_CTX_free(context)
            throw StoreError(.crypto, "OpenSSL could not set up AES-256-GCM (error \(ERR_get_error()))")
        }
        return context
    }
}
