// swift-tools-version:6.1
// Codec benchmarks: RosterWire's hand-written codec beside swift-protobuf 1.39.0's generated code
// for the same .proto, on the same bytes. A package of its own so swift-protobuf never enters the
// shipped targets. Run: scripts/bench-codec.sh (release mode).
//
// Sources/CodecBenchmarks/Generated/ was generated once, outside any build, with swift-protobuf
// 1.39.0's plugin (`swift build --product protoc-gen-swift` in a checkout of that tag):
//   protoc --plugin=protoc-gen-swift=PATH --swift_out=Benchmarks/Sources/CodecBenchmarks/Generated \
//     --swift_opt=Visibility=Internal --proto_path=proto roster.proto bench.proto
import PackageDescription

let package = Package(
    name: "roster-benchmarks",
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    ],
    targets: [
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "RosterWire", package: "main"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
