#if canImport(Glibc)
    internal import Glibc
#elseif canImport(Musl)
    internal import Musl
#elseif canImport(Darwin)
    internal import Darwin
#endif

/// Files that hold secrets (the TLS private key, the master key) and the directory they live in,
/// over plain POSIX calls.
///
/// A secret is created with its mode from the start and never overwrites anything (`O_EXCL`: no
/// window in which it is readable by others, never through a planted symlink), and is read back
/// only while no one but its owner may read or write it.
package enum SecretFile {
    /// The permission bits a secret must not have: any for group or others.
    package static let forbiddenModeBits: UInt32 = 0o077

    /// Whether `path` exists (a dangling symlink does not).
    package static func exists(_ path: String) throws(SecretFileError) -> Bool {
        var status = stat()
        if stat(path, &status) == 0 { return true }
        let code = errno
        if code == ENOENT { return false }
        throw SecretFileError(path: path, action: "look up", failure: .system(errno: code))
    }

    /// `mkdir -p`: creates the missing directories of `path`, new ones with `mode`.
    package static func createDirectory(_ path: String, mode: UInt32 = 0o700) throws(SecretFileError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, mode_t(mode)) != 0, errno != EEXIST {
                throw SecretFileError(path: prefix, action: "create the directory", failure: .system(errno: errno))
            }
            prefix += "/"
        }
    }

    /// Creates `path`, which must not exist yet, with `mode` from the start, writes `contents` and
    /// syncs them to disk. On failure nothing is left behind.
    package static func create(_ path: String, contents: some Collection<UInt8>, mode: UInt32 = 0o600)
        throws(SecretFileError)
    {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard descriptor >= 0 else {
            throw SecretFileError(path: path, action: "create", failure: .system(errno: errno))
        }
        let bytes = Array(contents)
        var written = 0
        var failure: Int32?
        while written < bytes.count {
            let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if result > 0 {
                written += result
            } else if result < 0 && errno == EINTR {
                continue
            } else {
                failure = result < 0 ? errno : EIO
                break
            }
        }
        if failure == nil, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == nil { failure = errno }
        if let failure {
            unlink(path)
            throw SecretFileError(path: path, action: "write", failure: .system(errno: failure))
        }
    }

    /// Removes `path` if it exists, for undoing a ``create(_:contents:mode:)`` whose companion
    /// file could not be made; a failure is ignored.
    package static func remove(_ path: String) {
        unlink(path)
    }

    /// The bytes of `path`. With `ownerOnly`, a file whose mode gives group or others any
    /// permission is refused (``SecretFileError/Failure/openToOthers(mode:)``), checked on the
    /// opened file itself.
    package static func contents(of path: String, ownerOnly: Bool) throws(SecretFileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SecretFileError(path: path, action: "open", failure: .system(errno: errno)) }
        defer { close(descriptor) }
        if ownerOnly {
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                throw SecretFileError(path: path, action: "check the mode of", failure: .system(errno: errno))
            }
            let mode = UInt32(status.st_mode) & 0o777
            guard mode & forbiddenModeBits == 0 else {
                throw SecretFileError(path: path, action: "read", failure: .openToOthers(mode: mode))
            }
        }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count > 0 {
                contents += chunk[0..<count]
            } else if count == 0 {
                return contents
            } else if errno != EINTR {
                throw SecretFileError(path: path, action: "read", failure: .system(errno: errno))
            }
        }
    }
}

/// Why a ``SecretFile`` operation failed; callers put it into their own error with their own advice.
package struct SecretFileError: Error, Hashable, Sendable, CustomStringConvertible {
    package enum Failure: Hashable, Sendable {
        /// A system call failed with this `errno`.
        case system(errno: Int32)
        /// The file's permission bits (`mode`, e.g. 0o644) let group or others read or write it.
        case openToOthers(mode: UInt32)
    }

    /// The file or directory concerned.
    package var path: String
    /// What could not be done to it, as in "cannot \(action) \(path)": "create", "read"…
    package var action: String
    package var failure: Failure

    package init(path: String, action: String, failure: Failure) {
        self.path = path
        self.action = action
        self.failure = failure
    }

    /// The system's words for a ``Failure/system(errno:)``; for a mode, what is wrong and the
    /// command that fixes it, to follow the file's name: "has mode 644, readable by…".
    package var reason: String {
        switch failure {
        case .system(let code):
            String(cString: strerror(code))
        case .openToOthers(let mode):
            "has mode \(String(mode, radix: 8)), readable by others than its owner; run `chmod 600 \(path)`"
        }
    }

    package var description: String {
        switch failure {
        case .system: "cannot \(action) \(path): \(reason)"
        case .openToOthers: "\(path) \(reason)"
        }
    }
}
