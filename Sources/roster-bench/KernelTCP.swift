import Foundation

/// The kernel's view of loopback TCP connections, from `/proc/net/tcp` and `/proc/net/tcp6`.
/// Both ends of a loopback connection are listed, so it shows the server closing a connection
/// whose FIN still waits behind data the client has not read.
enum KernelTCP {
    /// One end of a connection.
    struct Socket: Sendable {
        /// "ESTABLISHED", "FIN_WAIT1", "CLOSE_WAIT", …
        var state: String
        /// Bytes in the send queue (sent but not acknowledged, or not yet sent).
        var sendQueue: Int
        var receiveQueue: Int
    }

    /// The end whose local port is `localPort` and remote port `remotePort`; nil when not listed.
    static func socket(localPort: Int, remotePort: Int) -> Socket? {
        let local = String(format: ":%04X", localPort), remote = String(format: ":%04X", remotePort)
        for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let table = try? String(contentsOfFile: file, encoding: .utf8) else { continue }
            // "  12: 0100007F:8C3C 0100007F:1F90 01 00000000:00000000 …": local, remote, state, tx:rx queues.
            for line in table.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count > 4, fields[1].hasSuffix(local), fields[2].hasSuffix(remote) else { continue }
                let queues = fields[4].split(separator: ":")
                return Socket(
                    state: names[String(fields[3])] ?? String(fields[3]),
                    sendQueue: queues.first.flatMap { Int($0, radix: 16) } ?? 0,
                    receiveQueue: queues.last.flatMap { Int($0, radix: 16) } ?? 0
                )
            }
        }
        return nil
    }

    private static let names = [
        "01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1", "05": "FIN_WAIT2",
        "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT", "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING",
    ]
}
