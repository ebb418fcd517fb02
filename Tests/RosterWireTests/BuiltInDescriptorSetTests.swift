import ChildProcesses
import Foundation
import RosterWire
import Testing

/// The FileDescriptorSet rosterd serves is protoc's, byte for byte (scripts/descriptor-set.sh
/// writes it; this catches a .proto changed without running the script).
@Suite("The built-in FileDescriptorSet")
struct BuiltInDescriptorSetTests {
    @Test(
        "equals what protoc --descriptor_set_out writes for proto/ now",
        .enabled(
            if: RequiredTool.testsCanRun(needing: "protoc"),
            "protoc is not installed (apt-get install -y protobuf-compiler); CI runs this with ROSTER_REQUIRE_ALL_TESTS=1"
        )
    )
    func matchesProtoc() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("descriptor-set-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("set.bin")
        _ = try await runProtoc(["--descriptor_set_out=\(output.path)"] + BuiltInDescriptorSet.files, input: [])
        let protocBytes = try [UInt8](Data(contentsOf: output))
        #expect(
            BuiltInDescriptorSet.bytes == protocBytes,
            "run scripts/descriptor-set.sh: \(BuiltInDescriptorSet.bytes.count) bytes built in, protoc writes \(protocBytes.count)"
        )
    }

    @Test("decodes as the reflection answer, one file per .proto, re-encoding to the same bytes")
    func decodesAsTheAnswer() throws {
        let answer = try GetFileDescriptorSetResponse(decoding: BuiltInDescriptorSet.bytes)
        #expect(answer.file.count == BuiltInDescriptorSet.files.count)
        #expect(answer.encodedBytes == BuiltInDescriptorSet.bytes)
    }
}
