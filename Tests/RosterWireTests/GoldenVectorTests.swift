import ChildProcesses
import Foundation
import RosterBenchMessages
import RosterWire
import Testing

/// The bytes under GoldenVectors/ were made by `protoc --encode` (scripts/golden-vectors.sh), so
/// they are protobuf by definition; our codec must read each and write it back byte for byte.
@Suite("Golden vectors from protoc")
struct GoldenVectorTests {
    static let vectors: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Repo.goldenVectors.path)) ?? []
        return names.filter { $0.hasSuffix(".bin") }.map { String($0.dropLast(4)) }.sorted()
    }()

    /// "roster.v1.Contact.full" → "roster.v1.Contact".
    static func messageName(of vector: String) -> String {
        vector.split(separator: ".").dropLast().joined(separator: ".")
    }

    @Test("there is a golden vector for every message of every schema")
    func everyMessageIsCovered() {
        let covered = Set(Self.vectors.map(Self.messageName))
        let missing = Set(Repo.messageTypes.keys).subtracting(covered)
        #expect(missing.isEmpty, "no golden vector for \(missing.sorted())")
    }

    @Test("decoding and re-encoding gives protoc's bytes exactly", arguments: vectors)
    func roundTrip(vector: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Repo.goldenVectors.appendingPathComponent(vector + ".bin")))
        let name = Self.messageName(of: vector)
        let type = try #require(Repo.messageTypes[name], "no codec for \(name)")
        let reencoded = try reencode(type, bytes)
        #expect(reencoded == bytes, "\(vector): \(reencoded.count) bytes written, protoc wrote \(bytes.count)")
    }

    @Test("every message declared in the product's .proto files has a codec in RosterWire's catalog, and no other")
    func catalogMatchesSchemas() throws {
        let declared = try Self.declaredMessages([
            ("roster.proto", "roster.v1"), ("rpc.proto", "roster.rpc.v1"), ("health.proto", "roster.health.v1"),
            ("reflection.proto", "roster.reflection.v1"),
        ])
        #expect(declared == Set(ProtoCatalog.messageTypes.keys))
    }

    @Test("every message of bench.proto has a codec in the bench tools' catalog, and no other")
    func benchCatalogMatchesSchema() throws {
        let declared = try Self.declaredMessages([("bench.proto", "peerbench")])
        #expect(declared == Set(PeerBenchCatalog.messageTypes.keys))
    }

    @Test(
        "the shipped service catalog lists roster.v1.Roster, roster.health.v1.Health and roster.reflection.v1.Reflection only; peerbench.Directory is the bench tools'"
    )
    func serviceCatalogs() {
        #expect(
            ServiceCatalog.methods.keys.allSatisfy {
                $0.hasPrefix("/roster.v1.Roster/") || $0.hasPrefix("/roster.health.v1.Health/")
                    || $0.hasPrefix("/roster.reflection.v1.Reflection/")
            }
        )
        #expect(
            Set(PeerBenchCatalog.methods.keys) == [
                "/peerbench.Directory/ListGroups", "/peerbench.Directory/WatchProgress",
            ]
        )
        #expect(PeerBenchCatalog.watchProgress.streamsResponses && !PeerBenchCatalog.listGroups.streamsResponses)
    }

    /// The fully qualified names of the messages `files` declare (file name, package).
    static func declaredMessages(_ files: [(file: String, package: String)]) throws -> Set<String> {
        var declared: Set<String> = []
        for (file, package) in files {
            let text = try String(contentsOf: Repo.proto.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("message ") {
                let name = line.dropFirst("message ".count).split(separator: " ")[0]
                declared.insert("\(package).\(name)")
            }
        }
        return declared
    }

    @Test("the peer benchmark's payloads are exactly the bytes its README gives")
    func peerWorkloadBytes() throws {
        var update = PeerBench.ProgressUpdate()
        update.jobID = [0x3f, 0x25, 0x04, 0xe0, 0x4f, 0x89, 0x11, 0xd3, 0x9a, 0x0c, 0x03, 0x05, 0xe8, 0x2c, 0x33, 0x01]
        update.percent = 50
        update.stage = "copying objects to destination tier"
        let hex = update.encodedBytes.map { String(format: "%02x", $0) }.joined()
        #expect(
            hex
                == "0a103f2504e04f8911d39a0c0305e82c330115000048421a23636f7079696e67206f626a6563747320746f2064657374696e6174696f6e2074696572"
        )
        #expect(update.encodedBytes.count == 60)
    }
}

@Suite("Child processes that fail")
struct MissingToolTests {
    @Test("a missing tool fed a large input is a failed run (status 127), not a broken pipe that ends the test process")
    func missingToolWithInput() async throws {
        let run = try await ChildProcess.tool("roster-no-such-tool", ["--encode=x"], input: Data(count: 4 << 20)).run()
        #expect(run.status == 127)
        #expect(run.errorText.contains("roster-no-such-tool"))
    }
}
