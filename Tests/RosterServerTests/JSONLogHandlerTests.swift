import Foundation
import Logging
import RosterServer
import Synchronization
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    /// A logger at trace whose JSON lines `lines` keeps.
    final class Lines: Sendable {
        private let storage = Mutex<[String]>([])
        var all: [String] { storage.withLock { $0 } }

        func logger(label: String = "rosterd") -> Logger {
            Logger(label: label) { label in
                var handler = JSONLogHandler(label: label) { line in self.storage.withLock { $0.append(line) } }
                handler.logLevel = .trace
                return handler
            }
        }
    }

    /// `line` parsed as a JSON object.
    static func object(_ line: String) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(parsed as? [String: Any])
    }

    @Test("one line per event: time, level, label, message, then the metadata as string fields")
    func fields() throws {
        let lines = Lines()
        var logger = lines.logger()
        logger[metadataKey: "rpc.peer"] = "127.0.0.1:5000"
        logger.info("call ended", metadata: ["rpc.request_id": "abc-123", "count": "\(42)"])
        logger.warning("second")
        #expect(lines.all.count == 2)
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(line.hasPrefix("{\"time\":\""))
        let object = try Self.object(line)
        #expect(Set(object.keys) == ["time", "level", "label", "message", "rpc.peer", "rpc.request_id", "count"])
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "rosterd")
        #expect(object["message"] as? String == "call ended")
        #expect(object["rpc.peer"] as? String == "127.0.0.1:5000")
        #expect(object["rpc.request_id"] as? String == "abc-123")
        #expect(object["count"] as? String == "42")
        let time = try #require(object["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)")
        #expect(try Self.object(lines.all[1])["level"] as? String == "warning")
    }

    @Test("the time is RFC 3339 in UTC with milliseconds")
    func timestamps() {
        #expect(JSONLogHandler.timestamp(millisecondsSince1970: 0) == "1970-01-01T00:00:00.000Z")
        #expect(JSONLogHandler.timestamp(millisecondsSince1970: 1_700_000_000_123) == "2023-11-14T22:13:20.123Z")
        #expect(JSONLogHandler.timestamp(millisecondsSince1970: 1_796_045_548_007) == "2026-11-30T13:32:28.007Z")
        #expect(JSONLogHandler.timestamp(millisecondsSince1970: -1) == "1969-12-31T23:59:59.999Z")
    }

    @Test("quotes, backslashes and control characters are escaped; other characters stay UTF-8")
    func escaping() throws {
        let message = "say \"hi\"\\ back\nline\ttab\r\u{08}\u{0C}\u{01}\u{1F} café 日本 🙂"
        let line = JSONLogHandler.line(
            time: "T",
            level: .notice,
            label: "a\"b",
            message: message,
            metadata: ["k\"ey\n": "v\\al\u{00}"]
        )
        #expect(
            line == "{\"time\":\"T\",\"level\":\"notice\",\"label\":\"a\\\"b\",\"message\":"
                + "\"say \\\"hi\\\"\\\\ back\\nline\\ttab\\r\\b\\f\\u0001\\u001f café 日本 🙂\","
                + "\"k\\\"ey\\n\":\"v\\\\al\\u0000\"}\n"
        )
        #expect(line.filter { $0 == "\n" || $0 == "\r\n" }.count == 1)
        let object = try Self.object(line)
        #expect(object["message"] as? String == message)
        #expect(object["label"] as? String == "a\"b")
        #expect(object["k\"ey\n"] as? String == "v\\al\u{00}")
    }

    @Test("every string round-trips through JSONSerialization")
    func roundTrip() throws {
        var text = String(decoding: (0..<0x80).map { UInt8($0) }, as: UTF8.self)
        text += "é\u{2028}\u{FEFF}𝄞"
        let line = JSONLogHandler.line(
            time: "T",
            level: .trace,
            label: text,
            message: text,
            metadata: [text: .string(text)]
        )
        #expect(line.filter { $0 == "\n" || $0 == "\r\n" }.count == 1)
        let object = try Self.object(line)
        #expect(object["message"] as? String == text)
        #expect(object["label"] as? String == text)
        #expect(object[text] as? String == text)
    }

    @Test("nested metadata becomes JSON arrays and objects")
    func nested() throws {
        let line = JSONLogHandler.line(
            time: "T",
            level: .debug,
            label: "l",
            message: "m",
            metadata: [
                "list": ["a", .stringConvertible(7), ["x"]],
                "map": ["b": "2", "a": ["c": "3"]],
            ]
        )
        #expect(line.contains("\"list\":[\"a\",\"7\",[\"x\"]],\"map\":{\"a\":{\"c\":\"3\"},\"b\":\"2\"}"))
        let object = try Self.object(line)
        let list = try #require(object["list"] as? [Any])
        #expect(list.count == 3)
        #expect(list[0] as? String == "a")
        #expect(list[2] as? [String] == ["x"])
        let map = try #require(object["map"] as? [String: Any])
        #expect(map["b"] as? String == "2")
        #expect((map["a"] as? [String: String])?["c"] == "3")
    }

    @Test("a metadata key named like a fixed field does not repeat it; a line's metadata wins over the logger's")
    func collisions() throws {
        let lines = Lines()
        var logger = lines.logger(label: "rosterd")
        logger[metadataKey: "message"] = "from metadata"
        logger[metadataKey: "shared"] = "logger"
        logger.error("the message", metadata: ["shared": "line"])
        let line = try #require(lines.all.first)
        #expect(line.components(separatedBy: "\"message\":").count == 2)
        let object = try Self.object(line)
        #expect(object["message"] as? String == "the message")
        #expect(object["metadata.message"] as? String == "from metadata")
        #expect(object["shared"] as? String == "line")
    }

    @Test("the handler's level filters lines")
    func level() {
        let lines = Lines()
        var logger = lines.logger()
        logger.logLevel = .notice
        logger.info("dropped")
        logger.notice("kept")
        #expect(lines.all.count == 1)
        #expect(lines.all.first?.contains("\"message\":\"kept\"") == true)
    }
}
