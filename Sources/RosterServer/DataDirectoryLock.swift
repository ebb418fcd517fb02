#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One `rosterd` per data directory: an exclusive `flock` on `rosterd.lock` inside it, held for
/// the server's life and released by the kernel when the process ends (even by SIGKILL). The
/// file holds the holder's process id, so a refused start can name it. The `tenants` and `keys`
/// subcommands do not take it: they may run beside the server. `migrate-store` takes it: the
/// server must be stopped while its store is copied.
package final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// Takes the lock of `directory`, or throws naming the process that holds it.
    package static func acquire(directory: String) throws(LockError) -> DataDirectoryLock {
        let path = directory + "/rosterd.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LockError("cannot open \(path) (errno \(errno)); check that the data directory is writable")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = readHolder(descriptor)
            close(descriptor)
            throw LockError(
                "another rosterd\(holder.map { " (process \($0))" } ?? "") is using the data directory \(directory); "
                    + "stop it first, or give this one another --data-dir",
                isHeld: true,
                holder: holder
            )
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return DataDirectoryLock(descriptor: descriptor)
    }

    /// Releases the lock (closing the file releases it).
    package func release() {
        close(descriptor)
    }

    private static func readHolder(_ descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count).filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self)
        return text.isEmpty ? nil : text
    }

    /// The data directory is in use by another process.
    package struct LockError: Error, CustomStringConvertible {
        /// Who holds the lock, and what to do.
        package var description: String
        /// True when another process holds the lock; false when the lock file could not be opened.
        package var isHeld: Bool
        /// The process id the lock file names, when another process holds the lock.
        package var holder: String?

        init(_ description: String, isHeld: Bool = false, holder: String? = nil) {
            self.description = description
            self.isHeld = isHeld
            self.holder = holder
        }
    }
}
