// swift-tools-version:6.1
import PackageDescription

// A service that reads Roster, as another team's package would depend on it. In your own
// package, name the repository instead of the path:
//     .package(url: "https://git.example.com/platform/roster.git", from: "1.0.0"),
let package = Package(
    name: "ContactReader",
    dependencies: [
        .package(name: "roster", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "contact-reader",
            dependencies: [
                .product(name: "RosterClient", package: "roster"),
                .product(name: "RosterWire", package: "roster"),
            ],
            // The strictest import rule (a future language mode's): what compiles here compiles anywhere.
            swiftSettings: [.enableUpcomingFeature("MemberImportVisibility")]
        )
    ]
)
