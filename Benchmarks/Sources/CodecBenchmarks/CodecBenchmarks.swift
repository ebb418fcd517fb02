import Foundation
import NIOCore
import RosterWire
import SwiftProtobuf

/// Encode and decode throughput of two messages, RosterWire beside swift-protobuf's generated
/// code (Generated/, made once with protoc-gen-swift 1.39.0 from proto/roster.proto).
///
///     codec-bench [--seconds S] [--rounds R]      throughput table (median of R rounds)
///     codec-bench --count-case NAME --iterations N    run one case N times (for valgrind's
///                                                     heap counts: allocations per operation)
@main
struct CodecBenchmarks {
    static func main() throws {
        let arguments = CommandLine.arguments
        func value(_ flag: String) -> String? {
            arguments.firstIndex(of: flag).map { arguments[$0 + 1] }
        }
        let seconds = Double(value("--seconds") ?? "1") ?? 1
        let rounds = Int(value("--rounds") ?? "5") ?? 5
        let golden = URL(fileURLWithPath: value("--golden") ?? "Tests/RosterWireTests/GoldenVectors")

        let cases = try makeCases(golden: golden)
        if let name = value("--count-case") {
            let iterations = Int(value("--iterations") ?? "1000")!
            guard let benchCase = cases.first(where: { $0.name == name }) else {
                throw BenchError("unknown case \(name); cases: \(cases.map(\.name).joined(separator: ", "))")
            }
            var sink = 0
            for _ in 0..<iterations { sink &+= benchCase.run() }
            print("ran \(name) \(iterations) times (checksum \(sink))")
            return
        }

        print("| message | bytes | operation | codec | messages/s | MB/s | ÷ swift-protobuf |")
        print("|---|---|---|---|---|---|---|")
        // Cases come in groups per (message, operation), swift-protobuf's last.
        var groups: [[BenchCase]] = []
        for benchCase in cases {
            if let last = groups.last?.first, last.message == benchCase.message, last.operation == benchCase.operation {
                groups[groups.count - 1].append(benchCase)
            } else {
                groups.append([benchCase])
            }
        }
        for group in groups {
            let rates = group.map { measure($0, seconds: seconds, rounds: rounds) }
            let baseline = rates.last!
            for (benchCase, rate) in zip(group, rates) {
                let ratio = benchCase.codec.hasPrefix("swift-protobuf") ? "1.00x" : String(format: "%.2fx", rate / baseline)
                print(
                    "| \(benchCase.message) | \(benchCase.bytes) | \(benchCase.operation) | \(benchCase.codec) | "
                        + "\(format(rate)) | \(String(format: "%.0f", rate * Double(benchCase.bytes) / 1e6)) | \(ratio) |"
                )
            }
        }
    }

    /// Median messages/s over `rounds` timed rounds of about `seconds` each, after a warm-up.
    static func measure(_ benchCase: BenchCase, seconds: Double, rounds: Int) -> Double {
        var sink = 0
        // Calibrate: how many iterations take about 10 ms.
        var batch = 64
        while true {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<batch { sink &+= benchCase.run() }
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            if elapsed > 10_000_000 { break }
            batch *= 2
        }
        var rates: [Double] = []
        for _ in 0..<rounds {
            var done = 0
            let start = DispatchTime.now().uptimeNanoseconds
            var elapsed: UInt64 = 0
            repeat {
                for _ in 0..<batch { sink &+= benchCase.run() }
                done += batch
                elapsed = DispatchTime.now().uptimeNanoseconds - start
            } while Double(elapsed) < seconds * 1e9
            rates.append(Double(done) / (Double(elapsed) / 1e9))
        }
        if sink == 42 { print("") }  // keeps the work observable
        return rates.sorted()[rates.count / 2]
    }

    static func format(_ rate: Double) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.maximumFractionDigits = 0
        return formatter.string(from: NSNumber(value: rate)) ?? "\(rate)"
    }
}

/// One measured operation; `run` returns something derived from the result so it is not optimized away.
final class BenchCase {
    let name: String
    let message: String
    let bytes: Int
    let operation: String
    let codec: String
    let run: () -> Int

    init(message: String, bytes: Int, operation: String, codec: String, slug: String, run: @escaping () -> Int) {
        self.name = "\(message.split(separator: ".").last!)-\(operation)-\(slug)"
        self.message = message
        self.bytes = bytes
        self.operation = operation
        self.codec = codec
        self.run = run
    }
}

/// Keeps a value alive and opaque to the optimizer.
@inline(never)
func blackHole<T>(_ value: T) -> Int {
    withExtendedLifetime(value) { 1 }
}

/// A ByteBuffer reused across iterations, as the transport reuses its outbound buffer.
final class ReusedBuffer {
    var buffer = ByteBufferAllocator().buffer(capacity: 4096)
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Pairs of cases (ours, then swift-protobuf's) over the same golden bytes.
func makeCases(golden: URL) throws -> [BenchCase] {
    func load(_ name: String) throws -> [UInt8] {
        let url = golden.appendingPathComponent(name + ".bin")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw BenchError("cannot read \(url.path): run from the repository root or pass --golden DIR")
        }
        return [UInt8](data)
    }
    var cases: [BenchCase] = []
    func add<Ours: RosterWire.ProtoMessage, Theirs: SwiftProtobuf.Message>(
        _ name: String, _ ours: Ours.Type, _ theirs: Theirs.Type, golden vector: String
    ) throws {
        let bytes = try load(vector)
        let oursMessage = try Ours(decoding: bytes)
        let theirsMessage = try Theirs(serializedBytes: bytes)
        // Both codecs must write exactly the golden bytes, or the comparison means nothing.
        guard oursMessage.encodedBytes == bytes, try theirsMessage.serializedBytes() as [UInt8] == bytes else {
            throw BenchError("\(name): the codecs disagree with the golden bytes")
        }
        let input = ByteBuffer(bytes: bytes)
        let reused = ReusedBuffer()
        cases.append(BenchCase(message: name, bytes: bytes.count, operation: "encode", codec: "RosterWire → reused ByteBuffer", slug: "ours-bytebuffer") {
            reused.buffer.clear()
            oursMessage.encode(into: &reused.buffer)
            return reused.buffer.readableBytes
        })
        cases.append(BenchCase(message: name, bytes: bytes.count, operation: "encode", codec: "RosterWire → new [UInt8]", slug: "ours-array") {
            oursMessage.encodedBytes.count
        })
        cases.append(BenchCase(message: name, bytes: bytes.count, operation: "encode", codec: "swift-protobuf → new [UInt8]", slug: "swift-protobuf") {
            let out: [UInt8] = try! theirsMessage.serializedBytes()
            return out.count
        })
        cases.append(BenchCase(message: name, bytes: bytes.count, operation: "decode", codec: "RosterWire ← ByteBuffer", slug: "ours-bytebuffer") {
            blackHole(try! Ours(decoding: input))
        })
        cases.append(BenchCase(message: name, bytes: bytes.count, operation: "decode", codec: "RosterWire ← [UInt8]", slug: "ours-array") {
            blackHole(try! Ours(decoding: bytes))
        })
        cases.append(BenchCase(message: name, bytes: bytes.count, operation: "decode", codec: "swift-protobuf ← [UInt8]", slug: "swift-protobuf") {
            blackHole(try! Theirs(serializedBytes: bytes))
        })
    }
    try add("roster.v1.ProgressUpdate", RosterWire.ProgressUpdate.self, Roster_V1_ProgressUpdate.self, golden: "roster.v1.ProgressUpdate.typical")
    try add("roster.v1.ListGroupsResponse", RosterWire.ListGroupsResponse.self, Roster_V1_ListGroupsResponse.self, golden: "roster.v1.ListGroupsResponse.ten_groups")
    return cases
}
