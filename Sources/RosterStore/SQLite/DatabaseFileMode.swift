internal import SecretFiles

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The database holds every contact and the encrypted secrets: its file, and the WAL and shared
/// memory files SQLite creates beside it (which take the database file's mode), are readable by
/// the owner only, like `master.key`.
enum DatabaseFileMode {
    /// Creates `path` empty with mode 0600 when it does not exist (SQLite then starts a new
    /// database in it); takes group and other access away from it and its `-wal` and `-shm`
    /// files when they have any.
    static func ownerOnly(_ path: String) throws(StoreError) {
        do {
            if try !SecretFile.exists(path) { try SecretFile.create(path, contents: [UInt8](), mode: 0o600) }
        } catch {
            throw StoreError(.sqlite, "cannot create the database file: \(error)")
        }
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard stat(file, &info) == 0, UInt32(info.st_mode) & SecretFile.forbiddenModeBits != 0 else { continue }
            guard chmod(file, 0o600) == 0 else {
                throw StoreError(
                    .sqlite,
                    "\(file) is readable by other users and its mode cannot be changed (errno \(errno)); run chmod 600 \(file)"
                )
            }
        }
    }
}
