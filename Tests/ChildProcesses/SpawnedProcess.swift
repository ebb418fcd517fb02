public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with `posix_spawn` that inherits standard input, output and error and
/// no other file descriptor of the test process.
///
/// Every test spawns through this instead of Foundation's `Process`. `Process` learns that a child
/// ended when a socket the child holds closes, and closes the test process's other descriptors in
/// the child only up to the highest one open when it looked. Tests spawn children from many
/// threads at once, so a long-lived `rosterd` could inherit another child's socket or pipe: the
/// wait for that other child, or the read of its output to the end, then lasted as long as the
/// `rosterd` did (once for minutes, on both cooperative threads, which stalled the whole suite).
/// Here every descriptor from 3 up is closed in the child, pipes are close-on-exec, and `waitpid`
/// learns of the exit.
public final class SpawnedProcess: @unchecked Sendable {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// /dev/null.
        case null
        /// A pipe whose other end the parent holds (``input``, ``output``, ``errors``).
        case pipe
        /// A file, created if missing, appended to.
        case file(String)
        /// Standard error only: wherever standard output goes.
        case sameAsOutput
    }

    /// How the child ended.
    public struct Termination: Sendable, Equatable {
        /// The exit status, or the signal's number when killed.
        public var status: Int32
        public var reason: Process.TerminationReason

        /// A shell's view: the exit status, or 128 plus the signal.
        public var shellStatus: Int32 { reason == .exit ? status : 128 + status }
    }

    public let pid: pid_t
    /// The write end of the child's standard input, when it is ``Stream/pipe``.
    public let input: FileHandle?
    /// The read end of the child's standard output, when it is ``Stream/pipe``.
    public let output: FileHandle?
    /// The read end of the child's standard error, when it is ``Stream/pipe``.
    public let errors: FileHandle?

    private let waitLock = NSLock()
    private let stateLock = NSLock()
    private var termination: Termination?

    /// Starts `executable` (a path) with `arguments`; `environment` nil passes the test process's own.
    public init(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: Stream = .null,
        output: Stream = .null,
        errors: Stream = .null
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var childEnds: [Int32] = []
        defer { childEnds.forEach { _ = close($0) } }
        var parentEnds: [FileHandle?] = []
        do {
            for (descriptor, stream) in [(Int32(0), input), (1, output), (2, errors)] {
                switch stream {
                case .null:
                    let flags = descriptor == 0 ? O_RDONLY : O_WRONLY
                    posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", flags, 0)
                    parentEnds.append(nil)
                case .file(let path):
                    posix_spawn_file_actions_addopen(&actions, descriptor, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
                    parentEnds.append(nil)
                case .sameAsOutput:
                    posix_spawn_file_actions_adddup2(&actions, 1, descriptor)
                    parentEnds.append(nil)
                case .pipe:
                    let (read, write) = try Self.pipe()
                    let (child, parent) = descriptor == 0 ? (read, write) : (write, read)
                    childEnds.append(child)
                    posix_spawn_file_actions_adddup2(&actions, child, descriptor)
                    parentEnds.append(FileHandle(fileDescriptor: parent, closeOnDealloc: true))
                }
            }
        }
        Self.closeAllAboveStandardError(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (as Process does), no blocked signals, and SIGPIPE back to its
        // default (the test process ignores it, and ignored signals survive exec).
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &pipeSignal)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes,
            Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        )

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0)=\($1)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            throw SpawnFailure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        self.pid = pid
        self.input = parentEnds[0]
        self.output = parentEnds[1]
        self.errors = parentEnds[2]
    }

    /// Waits for the child to end (blocking the calling thread: call it off the cooperative
    /// threads, e.g. in ``onOwnThread(_:)``), or gives up after `timeout` and returns nil.
    @discardableResult
    public func wait(timeout: Duration? = nil) -> Termination? {
        waitLock.lock()
        defer { waitLock.unlock() }
        if let ended = stateLock.withLock({ termination }) { return ended }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, deadline == nil ? 0 : WNOHANG)
            if reaped == pid { break }
            if reaped == -1 {
                if errno == EINTR { continue }
                // ECHILD: reaped by someone else; nothing more can be learned.
                let unknown = Termination(status: -1, reason: .exit)
                stateLock.withLock { termination = unknown }
                return unknown
            }
            if let deadline, ContinuousClock.now >= deadline { return nil }
            usleep(10_000)
        }
        // WIFSIGNALED / WTERMSIG / WEXITSTATUS, which Swift cannot import (macros).
        let signal = status & 0x7f
        let ended =
            signal == 0
            ? Termination(status: (status >> 8) & 0xff, reason: .exit)
            : Termination(status: signal, reason: .uncaughtSignal)
        stateLock.withLock { termination = ended }
        return ended
    }

    /// Sends `signal` unless the child has already been reaped (its pid may be another's now).
    public func send(_ signal: Int32) {
        stateLock.withLock {
            if termination == nil { _ = kill(pid, signal) }
        }
    }

    /// SIGKILL, then reaped on a thread of its own: never blocks the caller.
    public func killInBackground() {
        send(SIGKILL)
        Thread { self.wait() }.start()
    }

    /// A pipe whose ends are close-on-exec (a child gets only the end dup'ed onto its standard streams).
    private static func pipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        guard Glibc.pipe(&ends) == 0 else {
            throw SpawnFailure(description: "pipe failed: \(String(cString: strerror(errno)))")
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (ends[0], ends[1])
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), found at run time since Swift
    /// does not import GNU extensions; otherwise every descriptor open now and a margin above it.
    private static func closeAllAboveStandardError(_ actions: inout posix_spawn_file_actions_t) {
        if let closeFrom {
            _ = closeFrom(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) }
        let highest = (open?.max() ?? 1_024) + 256
        for descriptor in 3...max(3, highest) { posix_spawn_file_actions_addclose(&actions, descriptor) }
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let closeFrom: CloseFrom? = {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }()
}

/// A child process could not be started.
public struct SpawnFailure: Error, CustomStringConvertible {
    public var description: String
}
