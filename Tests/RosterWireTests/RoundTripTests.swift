import ChildProcesses
import NIOCore
import RosterWire
import Testing

@Suite("Round trips over generated messages")
struct RoundTripTests {
    @Test(
        "decode(encode(m)) == m for 500 random messages of each type",
        arguments: randomSampleTypes.map { "\($0.protoMessageName)" }
    )
    func roundTrip(name: String) throws {
        let type = try #require(randomSampleTypes.first { $0.protoMessageName == name })
        try check(type)
    }

    private func check<M: RandomSample>(_ type: M.Type) throws {
        var rng = SeededRandom(seed: 0x5EED)
        for index in 0..<500 {
            let message = M.random(using: &rng)
            let bytes = message.encodedBytes
            #expect(bytes.count == message.encodedSize)
            let decoded = try M(decoding: bytes)
            #expect(decoded == message, "sample \(index) of \(M.protoMessageName) changed in a round trip")
            // The ByteBuffer path must write the same bytes.
            var buffer = ByteBuffer()
            message.encode(into: &buffer)
            #expect(Array(buffer.readableBytesView) == bytes)
            #expect(try M(decoding: buffer) == message)
        }
    }

    @Test(
        "our encoder's output is read by protoc --decode and re-encoded by protoc to the same bytes",
        .enabled(
            if: RequiredTool.testsCanRun(needing: "protoc"),
            "protoc is not installed (apt-get install -y protobuf-compiler); CI runs this with ROSTER_REQUIRE_ALL_TESTS=1"
        ),
        arguments: randomSampleTypes.map { "\($0.protoMessageName)" }
    )
    func protocReadsOurBytes(name: String) async throws {
        let type = try #require(randomSampleTypes.first { $0.protoMessageName == name })
        try await checkWithProtoc(type)
    }

    private func checkWithProtoc<M: RandomSample>(_ type: M.Type) async throws {
        var rng = SeededRandom(seed: 0xC0FFEE)
        let schema = Repo.schema(for: M.protoMessageName)
        for _ in 0..<8 {
            let message = M.random(using: &rng)
            let ours = message.encodedBytes
            let text = try await runProtoc(["--decode=\(M.protoMessageName)", schema], input: ours)
            let theirs = try await runProtoc(["--encode=\(M.protoMessageName)", schema], input: text)
            #expect(theirs == ours, "protoc read our bytes as:\n\(String(decoding: text, as: UTF8.self))")
        }
    }
}
