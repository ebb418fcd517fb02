// swift-tools-version:6.1
// libFuzzer targets for RosterWire and RosterDirectory. Build and run with scripts/fuzz.sh (see README there);
// they are a package of their own so the main build never needs -sanitize=fuzzer.
import PackageDescription

let package = Package(
    name: "roster-fuzz",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "FuzzFrameDecoder",
            dependencies: [
                .product(name: "RosterWire", package: "main"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Every Graph reply RosterDirectory reads (built with -enable-testing for @testable).
        .executableTarget(
            name: "FuzzGraphReplies",
            dependencies: [
                .product(name: "RosterDirectory", package: "main"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "FuzzMessageDecoder",
            dependencies: [
                .product(name: "RosterWire", package: "main"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ]
)
