// swift-tools-version:6.1
import PackageDescription

/// One settings list for every target: Swift 6 mode plus the upcoming features the best server
/// codebases turn on (grpc-swift-2 uses the same three).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "roster",
    products: [
        .library(name: "RosterWire", targets: ["RosterWire"]),
        .library(name: "RosterClient", targets: ["RosterClient"]),
        .executable(name: "roster-wire", targets: ["roster-wire"]),
        .executable(name: "roster-bench", targets: ["roster-bench"]),
        .executable(name: "roster-store-bench", targets: ["roster-store-bench"]),
        .library(name: "RosterDirectory", targets: ["RosterDirectory"]),
        .library(name: "GraphTestDouble", targets: ["GraphTestDouble"]),
        .library(name: "RosterSync", targets: ["RosterSync"]),
        .library(name: "RosterService", targets: ["RosterService"]),
        .executable(name: "rosterd", targets: ["rosterd"]),
        .executable(name: "graph-double", targets: ["graph-double"]),
        .executable(name: "roster-directory-bench", targets: ["roster-directory-bench"]),
        .executable(name: "roster", targets: ["roster"]),
        .executable(name: "roster-sync-bench", targets: ["roster-sync-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Already AsyncHTTPClient's TLS; named so the Graph double can serve HTTPS and its tests trust it.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // `swift package generate-documentation --target RosterClient` (CI builds the API docs).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // The system's OpenSSL 3 (libssl-dev) and SQLite 3 (libsqlite3-dev), with C shims for macros.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // Protobuf wire primitives, the messages of proto/*.proto with hand-written codecs, and
        // the frame format of proto/PROTOCOL.md.
        .target(
            name: "RosterWire",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // The messages and methods of proto/bench.proto (the peer benchmark's workload): a tool's,
        // not the product's, so only roster-bench and tests import it.
        .target(
            name: "RosterBenchMessages",
            dependencies: ["RosterWire"],
            swiftSettings: swiftSettings
        ),
        // Reads a FileDescriptorSet (the reflection call's answer) and transcodes protobuf to and from
        // proto3 JSON by it: `roster describe` and `roster call`.
        .target(
            name: "RosterReflection",
            dependencies: ["RosterWire"],
            swiftSettings: swiftSettings
        ),
        // Prints captured Roster traffic frame by frame, payloads decoded.
        .executableTarget(
            name: "roster-wire",
            dependencies: ["RosterWire", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // Files holding secrets (the TLS key, the master key), over POSIX: created 0600 with O_EXCL,
        // read only while no one but the owner may read them. Shared by RosterTLS and RosterStore.
        .target(
            name: "SecretFiles",
            swiftSettings: swiftSettings
        ),
        // OpenSSL 3 over memory BIOs inside a NIO pipeline: server, client and mutual TLS.
        .target(
            name: "RosterTLS",
            dependencies: ["COpenSSL", "SecretFiles", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // The call runtime, domain-free: connections, streams, dispatch, deadlines, flow control, limits.
        .target(
            name: "RosterRPC",
            dependencies: [
                "RosterWire", "RosterTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Swift client library: connection, reconnect with backoff, typed calls.
        .target(
            name: "RosterClient",
            dependencies: [
                "RosterRPC", "RosterTLS", "RosterWire",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "clients/RosterClient",
            swiftSettings: swiftSettings
        ),
        // The load tool: the peer benchmark workload over Roster's protocol (release builds), and
        // `roster-bench abuse`, bad-input probes over raw sockets against a running server.
        .executableTarget(
            name: "roster-bench",
            dependencies: [
                "RosterClient", "RosterRPC", "RosterTLS", "RosterWire", "RosterBenchMessages",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // SQLite contact store: connections, migrations, tables, secrets at rest, the apply step.
        .target(
            name: "RosterStore",
            dependencies: [
                "CSQLite", "COpenSSL", "SecretFiles", .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The `Store` on PostgreSQL through postgres-nio, in a target of its own so SQLite-only builds
        // do not compile or link it.
        .target(
            name: "RosterPostgres",
            dependencies: [
                "RosterStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Deterministic sample contacts shared by the store's tests, kill-test helper and benchmark.
        .target(
            name: "RosterStoreTestSupport",
            dependencies: ["RosterStore"],
            swiftSettings: swiftSettings
        ),
        // Child processes and other blocking waits of the tests, kept off the cooperative thread pool.
        .target(
            name: "ChildProcesses",
            path: "Tests/ChildProcesses",
            swiftSettings: swiftSettings
        ),
        // A throwaway PostgreSQL cluster for tests (initdb and pg_ctl of the installed PostgreSQL).
        .target(
            name: "PostgresTestSupport",
            dependencies: ["ChildProcesses", "RosterPostgres"],
            path: "Tests/PostgresTestSupport",
            swiftSettings: swiftSettings
        ),
        // A log handler that keeps its lines, for the tests of what each layer logs.
        .target(
            name: "RecordingLogs",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            path: "Tests/RecordingLogs",
            swiftSettings: swiftSettings
        ),
        // Child process of the store's kill test: applies staged rows until it is killed.
        .executableTarget(
            name: "roster-store-crash-helper",
            dependencies: ["RosterStore", "RosterStoreTestSupport"],
            swiftSettings: swiftSettings
        ),
        // Times staging and apply of 100,000 contacts beside the sqlite3 CLI (release mode).
        .executableTarget(
            name: "roster-store-bench",
            dependencies: ["RosterStore", "RosterStoreTestSupport", "RosterService"],
            swiftSettings: swiftSettings
        ),
        // Where people come from: the DirectorySource protocol, Microsoft Graph over AsyncHTTPClient,
        // a Graph-shaped JSON export, and the bundled demo directory.
        .target(
            name: "RosterDirectory",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            resources: [.copy("Resources/demo-directory.json")],
            swiftSettings: swiftSettings
        ),
        // A Microsoft Graph and token endpoint double on loopback (real HTTP/1.1), with fault
        // injection and request recording, for tests, benchmarks and manual trials.
        .target(
            name: "GraphTestDouble",
            dependencies: [
                "RosterTLS",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The sync engine: job manager (one active job per tenant), full / group / delta runs over
        // staging and one-transaction apply, deletion threshold, progress hub.
        .target(
            name: "RosterSync",
            dependencies: [
                "RosterStore", "RosterDirectory", .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The roster.v1.Roster service: API keys → tenant and role, each call's rules, statuses.
        .target(
            name: "RosterService",
            dependencies: [
                "RosterRPC", "RosterSync", "RosterStore", "RosterDirectory", "RosterWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // A running server: store, job manager and scheduler, service and listener, started and
        // stopped in order (rosterd, and the embedded server of `roster demo`).
        .target(
            name: "RosterServer",
            dependencies: [
                "RosterService", "RosterRPC", "RosterSync", "RosterStore", "RosterDirectory", "RosterTLS", "RosterWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The server executable: configuration, lifecycle, logging, tenant and key subcommands.
        .executableTarget(
            name: "rosterd",
            dependencies: [
                "RosterServer", "RosterStore", "RosterPostgres", "RosterRPC", "RosterTLS", "SecretFiles",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // Serves a directory JSON file or a generated N-user directory on 127.0.0.1.
        .executableTarget(
            name: "graph-double",
            dependencies: ["GraphTestDouble"],
            swiftSettings: swiftSettings
        ),
        // Fetch benchmark: GraphDirectory against graph-double, beside curl (scripts/bench-directory.sh).
        .executableTarget(
            name: "roster-directory-bench",
            dependencies: ["RosterDirectory"],
            swiftSettings: swiftSettings
        ),
        // End-to-end benchmark: a real rosterd child process syncing from the in-process Graph double
        // (full and delta sync beside curl + sqlite3, ListGroups type-ahead, 10,000 watchers);
        // scripts/bench-sync.sh.
        .executableTarget(
            name: "roster-sync-bench",
            dependencies: [
                "RosterClient", "RosterWire", "RosterRPC", "GraphTestDouble", "PostgresTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The service developer's example (README, "Using RosterClient from your service"): its own
        // package in Examples/ContactReader depends on the RosterClient and RosterWire products as
        // another team's package would (CI builds it so); built here too, from the same file, so
        // that EndToEndTests run it against a real rosterd.
        .executableTarget(
            name: "contact-reader",
            dependencies: ["RosterClient", "RosterWire"],
            path: "Examples/ContactReader/Sources/contact-reader",
            swiftSettings: [.swiftLanguageMode(.v6), .enableUpcomingFeature("MemberImportVisibility")]
        ),
        // The operator CLI's commands, output formatting, progress rendering and exit codes.
        // Only `roster demo` uses RosterServer and RosterStore (it embeds a throwaway server).
        .target(
            name: "RosterCLI",
            dependencies: [
                "RosterClient", "RosterRPC", "RosterWire", "RosterReflection", "RosterServer", "RosterStore",
                "RosterDirectory", "RosterTLS", "GraphTestDouble",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "clients/roster/RosterCLI",
            swiftSettings: swiftSettings
        ),
        // The operator CLI `roster`.
        .executableTarget(
            name: "roster",
            dependencies: ["RosterCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "clients/roster/roster",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterWireTests",
            dependencies: [
                "RosterWire", "RosterBenchMessages", "ChildProcesses",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            exclude: ["GoldenVectors", "wire_test.proto"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterReflectionTests",
            dependencies: ["RosterReflection", "RosterWire"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterTLSTests",
            dependencies: [
                "RosterTLS", "ChildProcesses",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterClientTests",
            dependencies: ["RosterClient", "RosterRPC", "RosterWire", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterRPCTests",
            dependencies: [
                "RosterRPC", "RosterClient", "RosterTLS", "RosterWire", "RosterBenchMessages", "ChildProcesses",
                "RecordingLogs",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterDirectoryTests",
            dependencies: [
                "RosterDirectory",
                "GraphTestDouble",
                "RosterTLS",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterStoreTests",
            dependencies: [
                "RosterStore", "RosterPostgres", "RosterStoreTestSupport", "roster-store-crash-helper",
                "ChildProcesses",
                "PostgresTestSupport",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterServiceTests",
            dependencies: [
                "RosterService", "RosterStore", "RosterDirectory", "RosterSync", "RosterWire",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterServerTests",
            dependencies: [
                "RosterServer", "RosterClient", "RosterRPC", "RosterWire",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "rosterd", "roster", "contact-reader", "RosterClient", "RosterRPC", "RosterWire", "RosterDirectory",
                "RosterStore",
                "GraphTestDouble", "ChildProcesses", "PostgresTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterSyncTests",
            dependencies: [
                "RosterSync", "RosterStore", "RosterDirectory", "GraphTestDouble", "RecordingLogs", "RosterPostgres",
                "PostgresTestSupport", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterCLITests",
            dependencies: [
                "RosterCLI", "RosterClient", "RosterRPC", "RosterWire", "roster", "ChildProcesses",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
