internal import COpenSSL
internal import Foundation
internal import SecretFiles

/// The 32-byte key that encrypts tenants' client secrets at rest, kept in a file of its own.
///
/// Created with random bytes and mode 0600 on first start; refused when the file's mode lets
/// anyone but its owner read or write it, because then the secrets it protects are exposed too.
package struct MasterKey: Sendable {
    /// The key file's name inside the data directory.
    package static let fileName = "master.key"
    /// Key length in bytes (AES-256).
    package static let length = 32

    let bytes: [UInt8]

    /// A key made of `bytes` (exactly 32); for tests and for keys loaded from elsewhere.
    package init(bytes: [UInt8]) throws(StoreError) {
        guard bytes.count == Self.length else {
            throw StoreError(.masterKey, "a master key is \(Self.length) bytes; got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// A fresh random key (OpenSSL's RAND_bytes).
    package static func random() throws(StoreError) -> MasterKey {
        try MasterKey(bytes: SecureRandom.bytes(length))
    }

    /// Loads `directory/master.key`, creating it (mode 0600) if it does not exist.
    package static func loadOrCreate(inDirectory directory: String) throws(StoreError) -> MasterKey {
        let path = (directory as NSString).appendingPathComponent(fileName)
        let exists: Bool
        do throws(SecretFileError) {
            exists = try SecretFile.exists(path)
        } catch {
            throw keyFileError(error, advice: "check its permissions")
        }
        guard exists else { return try create(at: path) }
        let bytes: [UInt8]
        do throws(SecretFileError) {
            bytes = try SecretFile.contents(of: path, ownerOnly: true)
        } catch {
            throw keyFileError(error, advice: "check that rosterd runs as the file's owner")
        }
        guard bytes.count == length else {
            throw StoreError(
                .masterKey,
                "the master key \(path) holds \(bytes.count) bytes, not \(length); restore it from backup "
                    + "(deleting it makes every stored client secret unreadable)"
            )
        }
        return try MasterKey(bytes: bytes)
    }

    private static func create(at path: String) throws(StoreError) -> MasterKey {
        let key = try random()
        do throws(SecretFileError) {
            // Never overwrites a key another process created a moment ago; 0600 from the start.
            try SecretFile.create(path, contents: key.bytes, mode: 0o600)
        } catch {
            throw keyFileError(error, advice: "check that the data directory exists and is writable")
        }
        return key
    }

    /// A key file that could not be used: a mode open to others (the chmod to run), or a system
    /// error with `advice`.
    private static func keyFileError(_ error: SecretFileError, advice: String) -> StoreError {
        switch error.failure {
        case .openToOthers:
            StoreError(
                .masterKey,
                "the master key \(error.path) \(error.reason) (and consider rotating the tenants' client secrets)"
            )
        case .system:
            StoreError(.masterKey, "cannot \(error.action) the master key \(error.path): \(error.reason); \(advice)")
        }
    }
}

/// Random bytes from OpenSSL's CSPRNG.
enum SecureRandom {
    /// `count` random bytes.
    static func bytes(_ count: Int) throws(StoreError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBytes {
            RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count))
        }
        guard ok == 1 else {
            throw StoreError(
                .crypto,
                "OpenSSL's RAND_bytes failed (error \(ERR_get_error())); the system's random source is unavailable"
            )
        }
        return bytes
    }
}
