import ChildProcesses
import Foundation
import RosterBenchMessages
import RosterWire

/// Paths of the repository, found from this file's location.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let goldenVectors = root.appendingPathComponent("Tests/RosterWireTests/GoldenVectors")
    static let proto = root.appendingPathComponent("proto")
    static let testProto = root.appendingPathComponent("Tests/RosterWireTests")

    /// The .proto file that declares a message, chosen by its package.
    static func schema(for messageName: String) -> String {
        if messageName.hasPrefix("roster.v1.") { return "roster.proto" }
        if messageName.hasPrefix("roster.rpc.v1.") { return "rpc.proto" }
        if messageName.hasPrefix("roster.health.v1.") { return "health.proto" }
        if messageName.hasPrefix("roster.reflection.v1.") { return "reflection.proto" }
        if messageName.hasPrefix("peerbench.") { return "bench.proto" }
        return "wire_test.proto"
    }

    /// Every message type the tests know: the library's catalog, the benchmark's, and the test
    /// schema's.
    static let messageTypes: [String: any ProtoMessage.Type] = ProtoCatalog.messageTypes
        .merging(PeerBenchCatalog.messageTypes, uniquingKeysWith: { first, _ in first })
        .merging(
            [AllTypes.protoMessageName: AllTypes.self, Nested.protoMessageName: Nested.self],
            uniquingKeysWith: { first, _ in first }
        )
}

/// Runs protoc with `arguments`, feeding `input` on stdin, and returns stdout.
func runProtoc(_ arguments: [String], input: [UInt8]) async throws -> [UInt8] {
    let protoPaths = ["--proto_path=\(Repo.proto.path)", "--proto_path=\(Repo.testProto.path)"]
    let run = try await ChildProcess.tool("protoc", protoPaths + arguments, input: Data(input)).run()
    guard run.status == 0 else {
        throw ProtocFailure(arguments: arguments, message: run.errorText)
    }
    return [UInt8](run.output)
}

struct ProtocFailure: Error, CustomStringConvertible {
    var arguments: [String]
    var message: String
    var description: String { "protoc \(arguments.joined(separator: " ")) failed: \(message)" }
}

/// Decodes with the codec of `type` and encodes again.
func reencode<M: ProtoMessage>(_ type: M.Type, _ bytes: [UInt8]) throws -> [UInt8] {
    try M(decoding: bytes).encodedBytes
}

/// A small deterministic random generator (SplitMix64), so every failure reproduces.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Text drawn from ASCII, Latin accents, CJK, right-to-left scripts, emoji and quotes.
    mutating func text(maxLength: Int = 24) -> String {
        let alphabets: [[Unicode.Scalar]] = [
            Array("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789-_.@".unicodeScalars),
            Array("éèêëàçñøåßœÆÖÜ".unicodeScalars),
            Array("山田太郎東京営業部".unicodeScalars),
            Array("مرحباשלום".unicodeScalars),
            Array("😀🎉👩‍💻".unicodeScalars),
            Array("'\"\\\n\t".unicodeScalars),
        ]
        let length = Int.random(in: 0...maxLength, using: &self)
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            let alphabet = alphabets[Int.random(in: 0..<alphabets.count, using: &self)]
            scalars.append(alphabet[Int.random(in: 0..<alphabet.count, using: &self)])
        }
        return String(scalars)
    }

    /// Mostly small numbers, sometimes the extremes.
    mutating func int64() -> Int64 {
        switch Int.random(in: 0..<6, using: &self) {
        case 0: 0
        case 1: .min
        case 2: .max
        case 3: Int64.random(in: -1000...1000, using: &self)
        default: Int64(bitPattern: next())
        }
    }

    mutating func int32() -> Int32 { Int32(truncatingIfNeeded: int64()) }

    mutating func bool() -> Bool { Bool.random(using: &self) }

    mutating func count(_ max: Int) -> Int { Int.random(in: 0...max, using: &self) }
}
