public import Foundation

/// Runs `body` on a thread of its own and awaits its result.
///
/// Waiting for a child process, reading its pipes to the end or sleeping blocks a thread. On one
/// of Swift concurrency's cooperative threads (as many as there are cores: 2 on the CI machine)
/// it stalls every other test of the parallel run that awaits anything, so that their polls time
/// out. Tests put all such waits here instead.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}

/// A child process run to its end by a test.
public struct ChildProcess: Sendable {
    /// How it ended and what it printed.
    public struct Outcome: Sendable {
        public var status: Int32
        /// `.uncaughtSignal` when it was killed.
        public var reason: Process.TerminationReason
        public var output: Data
        /// Empty when standard error was merged into `output`.
        public var errors: Data

        public var outputText: String { String(decoding: output, as: UTF8.self) }
        public var errorText: String { String(decoding: errors, as: UTF8.self) }
    }

    public var executable: String
    public var arguments: [String]
    /// nil: the test process's environment.
    public var environment: [String: String]?
    /// Bytes written to its standard input (then closed); nil: no standard input.
    public var input: Data?
    /// Standard error goes to `output` too.
    public var mergingErrors = false

    public init(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: Data? = nil,
        mergingErrors: Bool = false
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.input = input
        self.mergingErrors = mergingErrors
    }

    /// `executable` found on the PATH (through /usr/bin/env).
    public static func tool(_ name: String, _ arguments: [String], input: Data? = nil, mergingErrors: Bool = false)
        -> ChildProcess
    {
        ChildProcess("/usr/bin/env", [name] + arguments, input: input, mergingErrors: mergingErrors)
    }

    /// Runs it to its end, off the cooperative pool.
    public func run() async throws -> Outcome {
        try await onOwnThread { try runBlocking() }
    }

    /// Runs it to its end, killing it with SIGKILL `killAfter` after it started (when still running).
    public func run(killAfter delay: Duration) async throws -> Outcome {
        try await onOwnThread { try runBlocking(killAfter: delay) }
    }

    /// Runs it to its end, killing it with SIGKILL `delay` after `marker` first appears in its
    /// standard output (when still running): a kill placed by an event of the child, not by a clock.
    public func run(killWhenOutputContains marker: String, after delay: Duration = .zero) async throws -> Outcome {
        try await onOwnThread { try runBlocking(killOn: (Data(marker.utf8), delay)) }
    }

    private func runBlocking(killAfter delay: Duration? = nil, killOn: (marker: Data, delay: Duration)? = nil) throws
        -> Outcome
    {
        _ = ignoreBrokenPipes
        let process = try SpawnedProcess(
            executable,
            arguments,
            environment: environment,
            input: input == nil ? .null : .pipe,
            output: .pipe,
            errors: mergingErrors ? .sameAsOutput : .pipe
        )
        // Write, and read standard error, beside the read of standard output, so that no pipe fills up and deadlocks.
        let input = self.input
        let writer = Thread {
            if let input, let pipe = process.input {
                // A child that exits without reading (a missing tool: env exits 127) closes the
                // pipe: the write then fails with EPIPE, which this ignores; the exit status tells.
                try? pipe.write(contentsOf: input)
                try? pipe.close()
            }
        }
        writer.start()
        let errorData = LockedData()
        let errorsRead = DispatchSemaphore(value: 0)
        let errorReader = Thread {
            if let errors = process.errors { errorData.set(errors.readUntilEnd()) }
            errorsRead.signal()
        }
        errorReader.start()
        if let delay {
            Thread.sleep(forTimeInterval: delay.seconds)
            process.send(SIGKILL)
        }
        var outputData = Data()
        let output = process.output!
        if let killOn {
            var killed = false
            while true {
                let chunk = output.readChunk()
                if chunk.isEmpty { break }
                outputData.append(chunk)
                if !killed, outputData.range(of: killOn.marker) != nil {
                    if killOn.delay > .zero { Thread.sleep(forTimeInterval: killOn.delay.seconds) }
                    process.send(SIGKILL)
                    killed = true
                }
            }
        } else {
            outputData = output.readUntilEnd()
        }
        errorsRead.wait()
        let ended = process.wait()!
        return Outcome(status: ended.status, reason: ended.reason, output: outputData, errors: errorData.get())
    }
}

/// Bytes handed from a reader thread to the thread that waits for it.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var value = Data()
    func set(_ newValue: Data) { lock.withLock { value = newValue } }
    func get() -> Data { lock.withLock { value } }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A write to a pipe whose reader has gone raises SIGPIPE, which ends the whole test process:
/// ignored, the write fails with EPIPE instead and only the test that wrote sees it.
private let ignoreBrokenPipes: Void = {
    signal(SIGPIPE, SIG_IGN)
}()
