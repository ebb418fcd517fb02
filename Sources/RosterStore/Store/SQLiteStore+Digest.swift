internal import COpenSSL

// A content digest of a tenant's contacts: equal digests mean equal contact sets, field for field.
extension SQLiteStore {
    /// SHA-256 (hex) over the tenant's contacts in id order, every field but `changed_at`.
    ///
    /// Two stores (or one store at two moments) hold the same contacts exactly when their digests
    /// match; tests and replica checks compare sets this way without holding them in memory.
    package func contactDigest(tenant: String) async throws(StoreError) -> String {
        try await pool.readBulk { connection throws(StoreError) in
            guard let context = EVP_MD_CTX_new() else {
                throw StoreError(.crypto, "OpenSSL could not allocate a digest context (out of memory?)")
            }
            defer { EVP_MD_CTX_free(context) }
            EVP_DigestInit_ex(context, EVP_sha256(), nil)
            let select = try connection.cached(
                "SELECT id, \(ContactColumns.list) FROM contacts WHERE tenant_id = ?1 ORDER BY tenant_id, id"
            )
            select.bind(tenant, at: 1)
            let columns = Int32(ContactColumns.fields.count + 1)
            while try select.step() {
                for column in 0..<columns {
                    // Each value as: present flag, 8-byte length, bytes; so NULL, "" and splits differ.
                    var header = [UInt8](repeating: 0, count: 9)
                    if var value = select.string(column) {
                        header[0] = 1
                        withUnsafeBytes(of: UInt64(value.utf8.count).littleEndian) {
                            header.replaceSubrange(1..<9, with: $0)
                        }
                        EVP_DigestUpdate(context, header, header.count)
                        value.withUTF8 { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
                    } else {
                        EVP_DigestUpdate(context, header, header.count)
                    }
                }
            }
            var digest = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            EVP_DigestFinal_ex(context, &digest, &length)
            return digest.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        }
    }
}
