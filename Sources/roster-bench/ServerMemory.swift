import Foundation
import Synchronization

/// The server's memory as Linux reports it in `/proc/PID/status`.
struct ServerMemory: Sendable {
    let pid: Int32

    /// VmRSS in KiB; nil once the process is gone.
    func rssKiB() -> Int? { field("VmRSS") }

    private func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            // "VmRSS:\t   12345 kB"
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return parts.count > 1 ? Int(parts[1]) : nil
        }
        return nil
    }
}

/// Samples a process's VmRSS every 20 ms on a thread of its own (not the cooperative pool, which a
/// probe may keep busy), keeping the largest value.
final class PeakSampler: Sendable {
    private struct State {
        var running = true
        var peakKiB = 0
    }
    private let state = Mutex(State())

    init(_ memory: ServerMemory) {
        Thread.detachNewThread { [self] in
            while true {
                let rss = memory.rssKiB() ?? 0
                let running = state.withLock { state in
                    state.peakKiB = max(state.peakKiB, rss)
                    return state.running
                }
                guard running else { return }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    /// Stops sampling; the largest VmRSS seen, in KiB.
    func stop() -> Int {
        state.withLock { state in
            state.running = false
            return state.peakKiB
        }
    }
}
