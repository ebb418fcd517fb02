internal import COpenSSL

/// API key tokens: `rk_<key id>_<secret>`, where the secret is 256 random bits in base64url.
///
/// Only the SHA-256 hash of the whole token is stored. The key id (not secret) lets the store find
/// the row without searching by hash; the hashes are then compared in constant time, so timing
/// reveals nothing about how much of a guessed token was right.
package enum APIKeyToken {
    /// What every token starts with, so a leaked one is recognizable (and greppable by scanners).
    package static let prefix = "rk_"

    /// A new key id and the token to show once.
    package static func generate() throws(StoreError) -> (id: String, token: String) {
        let id = hex(try SecureRandom.bytes(8))
        let secret = base64URL(try SecureRandom.bytes(32))
        return (id, "\(prefix)\(id)_\(secret)")
    }

    /// A new key of `tenant` (its record, not yet stored), its token to show once, and the
    /// token's hash: what a store keeps.
    package static func mint(tenant: String, role: APIKeyRole, label: String, now: Int64, expiresAt: Int64?)
        throws(StoreError) -> (key: APIKeyRecord, token: String, hash: [UInt8])
    {
        let (id, token) = try generate()
        let key = APIKeyRecord(
            id: id,
            tenantID: tenant,
            role: role,
            label: label,
            createdAt: now,
            revokedAt: nil,
            expiresAt: expiresAt
        )
        return (key, token, hash(token))
    }

    /// The key id inside `token`, or nil when `token` is not shaped like a Roster key.
    package static func keyID(of token: String) -> String? {
        guard token.hasPrefix(prefix) else { return nil }
        let parts = token.dropFirst(prefix.count).split(separator: "_", maxSplits: 1)
        guard parts.count == 2, parts[0].count == 16, parts[1].count == 43 else { return nil }
        return String(parts[0])
    }

    /// SHA-256 of the token's UTF-8 bytes.
    package static func hash(_ token: String) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        let bytes = Array(token.utf8)
        _ = SHA256(bytes, bytes.count, &digest)
        return digest
    }

    /// True when `a` and `b` are equal, in time that depends only on their length (CRYPTO_memcmp).
    package static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) == 0 }
        }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }

    private static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var output: [Character] = []
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var value = 0
            for byte in chunk { value = value << 8 | Int(byte) }
            value <<= 8 * (3 - chunk.count)
            for position in 0..<(chunk.count + 1) {
                output.append(alphabet[(value >> (18 - 6 * position)) & 0x3F])
            }
            index += 3
        }
        return String(output)
    }
}
