import ArgumentParser
internal import Foundation
import Logging
import NIOCore
import RosterPostgres
import RosterRPC
import RosterServer
import RosterTLS
import SecretFiles
import ServiceLifecycle
import UnixSignals

/// `rosterd serve`: runs the server until SIGTERM or SIGINT, then shuts down gracefully.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server (the default subcommand).",
        discussion: """
            Without --tls-cert/--tls-key a self-signed certificate is generated into the data \
            directory on first start; its SHA-256 fingerprint is printed at every start. On SIGTERM \
            or SIGINT, running syncs get the grace period to finish, then end INTERRUPTED.
            """
    )

    @Option(help: "JSON configuration file (env ROSTERD_CONFIG).")
    var config: String?

    @Option(help: "Address to listen on, HOST:PORT (env ROSTERD_LISTEN; default 127.0.0.1:7443; port 0 picks one).")
    var listen: String?

    @Option(
        help:
            "Data directory: database, master key, generated certificate (env ROSTERD_DATA_DIR; default ./roster-data)."
    )
    var dataDir: String?

    @Option(help: "PEM certificate chain (env ROSTERD_TLS_CERT).")
    var tlsCert: String?

    @Option(help: "PEM private key (env ROSTERD_TLS_KEY).")
    var tlsKey: String?

    @Option(help: "PEM CA whose client certificates are required: mutual TLS (env ROSTERD_CLIENT_CA).")
    var clientCA: String?

    @Option(help: "Extra DNS name or IP for a generated certificate (repeatable).")
    var certName: [String] = []

    @Flag(help: "Serve without TLS (development on a loopback address only; env ROSTERD_PLAINTEXT=1).")
    var plaintext = false

    @Option(help: "trace, debug, info, notice, warning, error or critical (env ROSTERD_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(help: "text, or json: one JSON object per line (env ROSTERD_LOG_FORMAT; default text).")
    var logFormat: String?

    @Option(help: "Most connections served at once (default 10000).")
    var maxConnections: Int?

    @Option(help: "Most concurrent calls per connection (default 100).")
    var maxConcurrentStreams: Int?

    @Option(help: "Seconds for the TLS handshake, preface and first SETTINGS (default 10).")
    var handshakeTimeout: Int?

    @Option(help: "Seconds a connection may stay without calls before it is closed (default 300).")
    var idleTimeout: Int?

    @Option(help: "Seconds within which a call's request must follow its HEADERS (default 10).")
    var requestTimeout: Int?

    @Option(help: "Seconds within which a started frame must complete (default 30).")
    var frameTimeout: Int?

    @Option(help: "Seconds a client may leave its responses unread before its connection closes (default 30).")
    var sendStallTimeout: Int?

    @Option(help: "Seconds after which a connection is drained with GOAWAY (default 0: no limit).")
    var maxConnectionAge: Int?

    @Option(
        help: "Bytes that may wait for a client that does not read before its connection is closed (default 8388608)."
    )
    var maxQueuedBytes: Int?

    @Option(
        help:
            "Answered calls that may wait for a client that does not read before its connection is closed (default 256)."
    )
    var maxUnsentCalls: Int?

    @Option(help: "Bytes of metadata one connection's calls may hold while waiting for their request (default 262144).")
    var maxHalfOpenHeaderBytes: Int?

    @Option(help: "Unary calls of one connection running at once; its other calls wait in order (default 16).")
    var maxExecutingCalls: Int?

    @Option(
        help:
            "Large listings (ListContacts, ListContactChanges) running at once over all connections; the others wait, in turns between connections (default: cores - 1, at least 1)."
    )
    var maxBackgroundCalls: Int?

    @Option(help: "Most calls open at once over all connections (default 10000).")
    var maxOpenCalls: Int?

    @Option(help: "Most bytes of call metadata held by open calls over all connections (default 67108864).")
    var maxHeldMetadataBytes: Int?

    @Option(help: "Largest frame payload in bytes (default 4194304).")
    var maxFrameBytes: Int?

    @Option(help: "Largest request message in bytes; larger ones are read past unbuffered and refused (default 65536).")
    var maxRequestBytes: Int?

    @Option(help: "Seconds calls and syncs may run on after SIGTERM (default 10).")
    var gracePeriod: Int?

    @Flag(help: "Let tenants use `demo:` and `file://` directories (Graph-shaped JSON exports on this host).")
    var allowFileDirectories = false

    @Option(
        help:
            "A directory host tenants may use beyond the Microsoft clouds' (repeatable), e.g. a Graph-compatible proxy."
    )
    var allowDirectoryHost: [String] = []

    @Option(help: "Sync jobs running at once over all tenants; more wait QUEUED, in order (default 16).")
    var maxRunningSyncs: Int?

    @Option(help: "Seconds between checks for due automatic syncs (default 60).")
    var scheduleCheckSeconds: Int?

    @Option(
        help:
            "Serve Prometheus metrics at http://HOST:PORT/metrics, plain HTTP without a key (env ROSTERD_METRICS_LISTEN; default off)."
    )
    var metricsListen: String?

    @Flag(help: "Label job and contact metrics with tenant ids (env ROSTERD_METRICS_TENANT_LABELS=1; default off).")
    var metricsTenantLabels = false

    @Option(
        help:
            "The client id of the server's multi-tenant app registration: tenants then connect with their directory tenant id and admin consent (env ROSTERD_APP_CLIENT_ID)."
    )
    var appClientID: String?

    @Option(help: "File holding that application's client secret, mode 0600 (env ROSTERD_APP_CLIENT_SECRET_FILE).")
    var appClientSecretFile: String?

    @Flag(
        help:
            "Authenticate that application with its certificate (DATA/app-cert.pem and app-key.pem, from `rosterd app-certificate create`) instead of a secret (env ROSTERD_APP_CERTIFICATE=1)."
    )
    var appCertificate = false

    @Option(
        help:
            "A redirect URI of that app registration, where Entra sends the administrator after consent (env ROSTERD_APP_CONSENT_REDIRECT_URI)."
    )
    var appConsentRedirectURI: String?
    @OptionGroup var storeOption: StoreOption

    @Option(
        help:
            "With a PostgreSQL store: seconds a sync job's lease lasts unrenewed before another replica marks the job INTERRUPTED (default 10; renewed every fifth)."
    )
    var jobLeaseSeconds: Int?

    @Option(
        help:
            "With a PostgreSQL store: how many first syncs (tenants without contacts) at once write their contacts while they fetch, each holding one transaction open on a connection of its own (default 4; 0: every sync stages its pages and applies them at the end)."
    )
    var streamedApplies: Int?

    @Option(
        help:
            "How long the change feed keeps contact changes: a number with s, m, h or d, e.g. 7d (the default) or 36h; 0 turns the feed off (nothing is logged; ListContactChanges and WatchContactChanges answer FAILED_PRECONDITION)."
    )
    var changeRetention: String?

    func run() async throws {
        Self.keepLargeBuffersOutOfTheHeap()
        let environment = ProcessInfo.processInfo.environment
        let settings: RosterServerConfiguration
        do {
            settings = try resolve(environment: environment)
        } catch let error as ConfigurationError {
            throw ValidationError(error.description)
        }
        let level = settings.logLevel
        switch settings.logFormat {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        let logger = Logger(label: "rosterd")
        // The start line goes to stdout too, so scripts (and tests) can read the address.
        let server = RosterServer(configuration: settings, logger: logger) { started in
            var line = "rosterd listening on \(started.hostAndPort)"
            if let fingerprint = started.certificateFingerprint {
                line += " (TLS; certificate \(started.certificatePath ?? "?"); SHA-256 fingerprint \(fingerprint))"
            } else {
                line += " (plaintext)"
            }
            if let url = started.metricsURL { line += "; metrics on \(url)" }
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        let trimmer = Task { await Self.giveFreedMemoryBack(every: .seconds(5)) }
        defer { trimmer.cancel() }
        try await group.run()
    }

    /// Every `interval` until cancelled, hands the heap's free pages back to the system.
    ///
    /// glibc keeps what is freed in its arenas (one per thread that allocates: event loops, store
    /// threads, tasks), so after a burst (thousands of connections opened and closed) RSS stays
    /// where the burst took it although the memory is free. `malloc_trim(0)` returns the free
    /// pages of every arena; on an idle heap it takes well under a millisecond.
    static func giveFreedMemoryBack(every interval: Duration) async {
        while (try? await Task.sleep(for: interval)) != nil {
            #if os(Linux)
                _ = glibcMallocTrim(0)
            #endif
        }
    }

    /// glibc raises its mmap threshold each time a large mmapped block is freed (up to 32 MiB), so
    /// after the first 4 MiB frame every later one comes from the heap, whose freed pages stay in
    /// the process: connection churn with large frames left RSS tens of MiB higher for good. A
    /// fixed threshold keeps large buffers mmapped, and a freed one goes back to the system.
    static func keepLargeBuffersOutOfTheHeap() {
        #if os(Linux)
            let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in <malloc.h>, which Glibc's module does not export
            _ = glibcMallopt(mmapThreshold, 256 * 1024)
        #endif
    }

    /// Defaults, then the file, then the environment, then flags.
    func resolve(environment: [String: String]) throws -> RosterServerConfiguration {
        let file = try (config ?? environment["ROSTERD_CONFIG"]).map(ConfigurationFile.load) ?? ConfigurationFile()
        var settings = RosterServerConfiguration(
            dataDirectory: dataDir ?? environment["ROSTERD_DATA_DIR"] ?? file.dataDirectory ?? "roster-data"
        )
        if let listen = listen ?? environment["ROSTERD_LISTEN"] ?? file.listen {
            (settings.host, settings.port) = try Self.hostAndPort(listen)
        }
        let cert = tlsCert ?? environment["ROSTERD_TLS_CERT"] ?? file.tls?.certificate
        let key = tlsKey ?? environment["ROSTERD_TLS_KEY"] ?? file.tls?.privateKey
        let clientCA = clientCA ?? environment["ROSTERD_CLIENT_CA"] ?? file.tls?.clientCA
        let plaintext = plaintext || environment["ROSTERD_PLAINTEXT"] == "1" || file.tls?.plaintext == true
        switch (cert, key, plaintext) {
        case (_?, _, true), (_, _?, true):
            throw ConfigurationError("plaintext and a TLS certificate or key are both configured; choose one")
        case (_, _, true):
            guard ["127.0.0.1", "::1", "localhost"].contains(settings.host) else {
                throw ConfigurationError(
                    "plaintext is for development on a loopback address only; listen on 127.0.0.1, or give a certificate"
                )
            }
            settings.tls = .plaintext
        case (let cert?, let key?, false):
            settings.tls = .files(certificateChain: cert, privateKey: key, clientCA: clientCA)
        case (nil, nil, false):
            guard clientCA == nil else {
                throw ConfigurationError(
                    "mutual TLS (client CA) needs the server's own certificate: give --tls-cert and --tls-key"
                )
            }
            settings.tls = .selfSigned
        default:
            throw ConfigurationError("give both a TLS certificate and its key (--tls-cert and --tls-key), or neither")
        }
        settings.certificateNames = certName + (file.tls?.certificateNames ?? [])
        if let level = logLevel ?? environment["ROSTERD_LOG_LEVEL"] ?? file.logLevel {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError(
                    "log level \(level) is not one of trace, debug, info, notice, warning, error, critical"
                )
            }
            settings.logLevel = parsed
        }
        if let format = logFormat ?? environment["ROSTERD_LOG_FORMAT"] ?? file.logFormat {
            guard let parsed = LogFormat(rawValue: format.lowercased()) else {
                throw ConfigurationError("log format \(format) is not one of text, json")
            }
            settings.logFormat = parsed
        }
        try resolveRPCLimits(&settings.rpc, file: file.limits)
        settings.allowFileDirectories = allowFileDirectories || file.allowFileDirectories == true
        if let value = maxRunningSyncs ?? file.limits?.maxRunningSyncs {
            settings.maxRunningSyncs = try Self.positive(value, "max running syncs")
        }
        settings.allowedDirectoryHosts = allowDirectoryHost + (file.allowDirectoryHosts ?? [])
        if let bad = settings.allowedDirectoryHosts.first(where: {
            $0.isEmpty || $0.contains("/") || $0.contains(":") && !$0.contains("::")
        }) {
            throw ConfigurationError(
                "allowed directory host \"\(bad)\" must be a host name or address without scheme, port or path, e.g. graph-proxy.example.com"
            )
        }
        if let value = scheduleCheckSeconds ?? file.scheduleCheckSeconds {
            settings.scheduleCheckInterval = .seconds(try Self.positive(value, "schedule check seconds"))
        }
        settings.application = try application(
            environment: environment,
            file: file.application,
            dataDirectory: settings.dataDirectory
        )
        if let listen = metricsListen ?? environment["ROSTERD_METRICS_LISTEN"] ?? file.metricsListen {
            let (host, port) = try Self.hostAndPort(listen)
            guard host != settings.host || port != settings.port || port == 0 else {
                throw ConfigurationError("the metrics address \(listen) is the RPC address; give it a port of its own")
            }
            settings.metrics = .init(
                host: host,
                port: port,
                tenantLabels: metricsTenantLabels || environment["ROSTERD_METRICS_TENANT_LABELS"] == "1"
                    || file.metricsTenantLabels == true
            )
        } else if metricsTenantLabels {
            throw ConfigurationError("--metrics-tenant-labels needs --metrics-listen")
        }
        if let text = changeRetention ?? file.changeRetention {
            settings.changeRetention = try Self.retention(text)
        }
        let jobLeaseSeconds = jobLeaseSeconds ?? file.store?.jobLeaseSeconds
        let streamedApplies = streamedApplies ?? file.store?.streamedApplies
        if var postgres = try storeOption.postgres(environment: environment, file: file.store) {
            postgres.logsChanges = settings.changeRetention != nil
            if let seconds = jobLeaseSeconds {
                postgres.jobLease = .seconds(try Self.positive(seconds, "job lease seconds"))
            }
            if let streamedApplies {
                guard streamedApplies >= 0 else {
                    throw ConfigurationError(
                        "--streamed-applies (store.streamedApplies) is \(streamedApplies); give 0 or more (0 turns "
                            + "streamed applies off)"
                    )
                }
                postgres.maximumStreamedApplies = streamedApplies
            }
            settings.openStore = { [postgres] directory, logger in
                var configuration = postgres
                configuration.logger = logger
                return try await StoreOption.openPostgres(configuration, dataDirectory: directory)
            }
        } else if jobLeaseSeconds != nil {
            throw ConfigurationError(
                "a job lease (--job-lease-seconds, store.jobLeaseSeconds) is for a PostgreSQL store: give "
                    + "--store postgres://… (or store.url) too"
            )
        } else if streamedApplies != nil {
            throw ConfigurationError(
                "streamed applies (--streamed-applies, store.streamedApplies) are for a PostgreSQL store: give "
                    + "--store postgres://… (or store.url) too"
            )
        }
        return settings
    }

    static func hostAndPort(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ConfigurationError("listen address \(text) must be HOST:PORT, e.g. 0.0.0.0:7443")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ConfigurationError("listen address \(text) has no host; e.g. 0.0.0.0:7443") }
        return (host, port)
    }

    /// A retention such as `7d`, `36h`, `90m` or `30s`; `0` is nil (the feed off).
    static func retention(_ text: String) throws -> Duration? {
        if text == "0" { return nil }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Int(text.dropLast()), count > 0,
            count <= 3_650 * 86_400 / unit
        else {
            throw ConfigurationError(
                "change retention \"\(text)\" must be a positive number with s, m, h or d (e.g. 7d, 36h), or 0 for no feed"
            )
        }
        return .seconds(count * unit)
    }

    static func positive(_ value: Int, _ name: String) throws -> Int {
        guard value > 0 else { throw ConfigurationError("\(name) must be a positive number") }
        return value
    }

    /// `value` seconds, checked positive like ``positive(_:_:)``.
    static func positiveSeconds(_ value: Int, _ name: String) throws -> Duration {
        .seconds(Int64(try positive(value, name)))
    }
}

#if os(Linux)
    /// glibc's `int mallopt(int param, int value)`.
    @_silgen_name("mallopt")
    private func glibcMallopt(_ param: Int32, _ value: Int32) -> Int32

    /// glibc's `int malloc_trim(size_t pad)`.
    @_silgen_name("malloc_trim")
    private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
