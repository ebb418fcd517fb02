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
