internal import COpenSSL
internal import Foundation

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
        var status = stat()
        if stat(path, &status) != 0 {
            guard errno == ENOENT else {
                throw StoreError(.masterKey, "cannot read \(path): \(String(cString: strerror(errno))); check its permissions")
            }
            return try create(at: path)
        }
        let mode = status.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw StoreError(
                .masterKey,
                "the master key \(path) has mode \(String(mode, radix: 8)), readable by others than its owner; "
                    + "run `chmod 600 \(path)` (and consider rotating the tenants' client secrets)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StoreError(.masterKey, "cannot read the master key \(path); check that rosterd runs as the file's owner")
        }
        guard data.count == length else {
            throw StoreError(
                .masterKey,
                "the master key \(path) holds \(data.count) bytes, not \(length); restore it from backup "
                    + "(deleting it makes every stored client secret unreadable)")
        }
        return try MasterKey(bytes: Array(data))
    }

    private static func create(at path: String) throws(StoreError) -> MasterKey {
        let key = try random()
        // O_EXCL: never overwrite a key another process created a moment ago; 0600 from the start.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(
                .masterKey, "cannot create the master key \(path): \(String(cString: strerror(errno))); "
                    + "check that the data directory exists and is writable")
        }
        defer { close(descriptor) }
        let written = key.bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == length, fsync(descriptor) == 0 else {
            unlink(path)
            throw StoreError(.masterKey, "cannot write the master key \(path): \(String(cString: strerror(errno)))")
        }
        return key
    }
}

/// Random bytes from OpenSSL's CSPRNG.
enum SecureRandom {
    /// `count` random bytes.
    static func bytes(_ count: Int) throws(StoreError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBytes { RAND_bytes($0.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)) }
        guard ok == 1 else {
            throw StoreError(.crypto, "OpenSSL's RAND_bytes failed (error \(ERR_get_error())); the system's random source is unavailable")
        }
        return bytes
    }
}
