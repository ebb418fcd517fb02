import NIOCore
import NIOPosix
import RosterClient
import RosterRPC
import RosterTLS

#if canImport(Glibc)
    import Glibc
#endif

/// Where the probes go and with what: a loopback address, the TLS trust root, the API key.
struct AbuseTarget: Sendable {
    let host: String
    let port: Int
    /// The client TLS context shared by every raw connection; nil for plaintext.
    let tlsContext: TLSContext?
    /// The PEM trust root, for RosterClient.
    let caFile: String?
    let apiKey: String?
    /// The probes' raw connections' event loops (``attackerLoops(nice:idle:)``); the healthy client
    /// and RosterClient use NIO's shared group instead.
    let loops: MultiThreadedEventLoopGroup

    /// Two event loop threads of the probes' own, at CPU priority `nice` (0 normal, 19 the
    /// lowest) and, when `idle`, under Linux's SCHED_IDLE policy. Run on the same 2 cores as
    /// rosterd, the attacker's own TLS work would otherwise be measured as the server's: in
    /// production an attacker's CPU is not the server's. Nice 19 alone is not enough on an EEVDF
    /// kernel: `perf sched latency` showed rosterd's event loop threads waiting up to 30 ms for a
    /// CPU held by the probes' threads. A SCHED_IDLE thread yields to any other thread that wakes.
    /// Its own group also keeps the healthy client's replies from waiting behind the probes'
    /// handshakes in this process.
    static func attackerLoops(nice: Int32, idle: Bool) throws -> MultiThreadedEventLoopGroup {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        for loop in group.makeIterator() {
            try loop.submit {
                // Linux keeps a nice value and a policy per thread; `who` and pid 0 are the calling thread.
                guard setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0 else {
                    throw AbuseError("setpriority(\(nice)) failed (errno \(errno))")
                }
                guard idle else { return }
                var parameters = sched_param(sched_priority: 0)
                let schedIdle: Int32 = 5  // SCHED_IDLE in <sched.h>, which Glibc exports only under _GNU_SOURCE
                guard sched_setscheduler(0, schedIdle, &parameters) == 0 else {
                    throw AbuseError("sched_setscheduler(SCHED_IDLE) failed (errno \(errno)); try --no-attacker-idle")
                }
            }
            .wait()
        }
        return group
    }

    /// `authorization: Bearer KEY`, or nothing without a key.
    var authorization: [String: String] { apiKey.map { ["authorization": "Bearer \($0)"] } ?? [:] }

    /// A well-behaved client on a connection of its own: no keepalive, quick retries.
    func makeClient() throws -> RosterClient {
        var configuration = RosterClientConfiguration(
            host: host,
            port: port,
            security: caFile.map { .tlsTrusting(caFile: $0) } ?? .plaintext,
            apiKey: apiKey
        )
        configuration.connection.keepaliveInterval = nil
        configuration.backoff.maxAttempts = 3
        configuration.backoff.initial = .milliseconds(50)
        return try RosterClient(configuration: configuration)
    }
}
