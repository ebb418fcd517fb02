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
        .executable(name: "roster-wire", targets: ["roster-wire"]),
        .executable(name: "roster-store-bench", targets: ["roster-store-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
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
        // Prints captured Roster traffic frame by frame, payloads decoded.
        .executableTarget(
            name: "roster-wire",
            dependencies: ["RosterWire", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // SQLite contact store: connections, migrations, tables, secrets at rest, the apply step.
        .target(
            name: "RosterStore",
            dependencies: ["CSQLite", "COpenSSL", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: swiftSettings
        ),
        // Deterministic sample contacts shared by the store's tests, kill-test helper and benchmark.
        .target(
            name: "RosterStoreTestSupport",
            dependencies: ["RosterStore"],
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
            dependencies: ["RosterStore", "RosterStoreTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterStoreTests",
            dependencies: ["RosterStore", "RosterStoreTestSupport", "roster-store-crash-helper"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RosterWireTests",
            dependencies: [
                "RosterWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            exclude: ["GoldenVectors", "wire_test.proto"],
            swiftSettings: swiftSettings
        ),
    ]
)
