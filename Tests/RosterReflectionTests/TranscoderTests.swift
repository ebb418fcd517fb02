import Foundation
import RosterReflection
import RosterWire
import Testing

/// protobuf bytes → JSON → bytes by the built-in schema gives RosterWire's codec bytes back, and
/// the JSON follows the proto3 mapping.
@Suite("JSON transcoding")
struct TranscoderTests {
    let transcoder: JSONTranscoder

    init() throws {
        transcoder = JSONTranscoder(schema: try DescriptorSetTests.builtInSchema())
    }

    static let goldenVectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("RosterWireTests/GoldenVectors")

    /// Every golden vector of a message in RosterWire's catalog (every message has at least one).
    static let vectors: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: goldenVectors.path)) ?? []
        return names.filter { $0.hasSuffix(".bin") }.map { String($0.dropLast(4)) }
            .filter { ProtoCatalog.messageTypes[messageName(of: $0)] != nil }.sorted()
    }()

    static func messageName(of vector: String) -> String {
        vector.split(separator: ".").dropLast().joined(separator: ".")
    }

    func json(_ message: some ProtoMessage) throws -> JSON {
        try transcoder.json(from: message.encodedBytes, type: type(of: message).protoMessageName)
    }

    func bytes(_ text: String, _ type: String) throws -> [UInt8] {
        try transcoder.bytes(from: try JSONParser.parse(text), type: type)
    }

    func object(_ members: (String, JSON)...) -> JSON { .object(members.map { JSON.Member($0.0, $0.1) }) }

    @Test("every message's codec bytes → JSON → bytes are the same bytes", arguments: vectors)
    func roundTrip(vector: String) throws {
        let name = Self.messageName(of: vector)
        let type = try #require(ProtoCatalog.messageTypes[name])
        let golden = try [UInt8](Data(contentsOf: Self.goldenVectors.appendingPathComponent(vector + ".bin")))
        let codecBytes = try type.init(decoding: golden).encodedBytes
        let json = try transcoder.json(from: codecBytes, type: name)
        #expect(try transcoder.bytes(from: json, type: name) == codecBytes, "\(vector): \(json)")
    }

    @Test("vectors cover every message of the catalog")
    func coverage() {
        #expect(Set(Self.vectors.map(Self.messageName)) == Set(ProtoCatalog.messageTypes.keys))
    }

    @Test("int64 as strings, enums by name, nested messages, defaults left out; numbers and names accepted")
    func scalarsEnumsNested() throws {
        var job = SyncJob()
        job.id = "j"
        job.state = .running
        job.createdUnixMs = 1_700_000_000_123
        job.counters = ProgressCounters()
        job.counters?.fetched = 9_007_199_254_740_993  // beyond a double's precision
        #expect(
            try json(job)
                == object(
                    ("id", .string("j")),
                    ("state", .string("JOB_STATE_RUNNING")),
                    ("createdUnixMs", .string("1700000000123")),
                    ("counters", object(("fetched", .string("9007199254740993"))))
                )
        )
        let typed = #"{"id":"j","state":2,"created_unix_ms":1700000000123,"counters":{"fetched":"9007199254740993"}}"#
        #expect(try bytes(typed, "roster.v1.SyncJob") == job.encodedBytes)
        // An enum number the schema does not know stays a number.
        var update = ProgressUpdate()
        update.state = JobState(rawValue: 42)
        update.percent = 37.5
        #expect(try json(update) == object(("state", .number("42")), ("percent", .number("37.5"))))
        #expect(try bytes(#"{"state":42,"percent":37.5}"#, "roster.v1.ProgressUpdate") == update.encodedBytes)
    }

    @Test("negative int32, repeated, maps as objects keyed in order, bytes as base64")
    func repeatedMapsBytes() throws {
        var groups = ListGroupsRequest()
        groups.limit = -1
        #expect(try json(groups) == object(("limit", .number("-1"))))
        #expect(try bytes(#"{"limit":"-1"}"#, "roster.v1.ListGroupsRequest") == groups.encodedBytes)

        var contact = Contact()
        contact.businessPhones = ["+44 1", "+44 2"]
        contact.extensionAttributes = [10: "ten", 2: "two"]
        #expect(
            try json(contact)
                == object(
                    ("businessPhones", .array([.string("+44 1"), .string("+44 2")])),
                    ("extensionAttributes", object(("2", .string("two")), ("10", .string("ten"))))
                )
        )
        let text = #"{"extensionAttributes":{"10":"ten","2":"two"},"business_phones":["+44 1","+44 2"]}"#
        #expect(try bytes(text, "roster.v1.Contact") == contact.encodedBytes)

        let answer = GetFileDescriptorSetResponse(file: [[0xff, 0x00], []])
        #expect(try json(answer) == object(("file", .array([.string("/wA="), .string("")]))))
        #expect(try bytes(#"{"file":["_wA","" ]}"#, answer.protoMessageNameOfType) == answer.encodedBytes)
    }

    @Test("oneof members and proto3 optional fields are written when set, even to their default")
    func presence() throws {
        let lookup = GetContactRequest(lookup: .mail(""))
        #expect(try json(lookup) == object(("mail", .string(""))))
        #expect(try bytes(#"{"mail":""}"#, "roster.v1.GetContactRequest") == lookup.encodedBytes)
        var settings = UpdateSettingsRequest()
        settings.syncIntervalMinutes = 0
        #expect(try json(settings) == object(("syncIntervalMinutes", .number("0"))))
        #expect(try bytes(#"{"syncIntervalMinutes":0}"#, "roster.v1.UpdateSettingsRequest") == settings.encodedBytes)
        #expect(try bytes(#"{"syncIntervalMinutes":null}"#, "roster.v1.UpdateSettingsRequest").isEmpty)
    }

    @Test(
        "a request that does not fit says where and what",
        arguments: [
            (#"{"scope":{"bogus":1}}"#, "scope.bogus", "roster.v1.SyncScope has no field \"bogus\""),
            (#"{"scope":{"kind":"SCOPE_KIND_NONE"}}"#, "scope.kind", "\"SCOPE_KIND_NONE\" is not a value of"),
            (#"{"dryRun":"yes"}"#, "dryRun", "expected true or false, got a string"),
            (#"{"scope":[]}"#, "scope", "expected an object for roster.v1.SyncScope, got an array"),
            (#"{"dry_run":true,"dryRun":true}"#, "dryRun", "the field is given twice"),
        ]
    )
    func errors(text: String, path: String, message: String) throws {
        let error = #expect(throws: TranscodingError.self) { try bytes(text, "roster.v1.StartSyncRequest") }
        #expect(error?.path == path)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("numbers out of range, fractions and wrong shapes are refused")
    func numbers() throws {
        for text in [#"{"limit":2147483648}"#, #"{"limit":1.5}"#, #"{"limit":"x"}"#, #"{"limit":true}"#] {
            #expect(throws: TranscodingError.self, "\(text)") { try bytes(text, "roster.v1.ListGroupsRequest") }
        }
        #expect(
            try bytes(#"{"limit":1e1}"#, "roster.v1.ListGroupsRequest")
                == bytes(#"{"limit":10}"#, "roster.v1.ListGroupsRequest")
        )
        #expect(throws: TranscodingError.self) {
            try bytes(#"{"syncIntervalMinutes":-1}"#, "roster.v1.UpdateSettingsRequest")
        }
    }

    @Test("JSON text: escapes and surrogate pairs read; broken text says where")
    func parser() throws {
        #expect(
            try JSONParser.parse(#" {"a":"\u00e9\ud83d\ude00\n","b":[1,-2.5e3,null]} "#)
                == object(
                    ("a", .string("é😀\n")),
                    ("b", .array([.number("1"), .number("-2.5e3"), .null]))
                )
        )
        let error = #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse(#"{"a" 1}"#) }
        #expect(error?.description == #"expected ':' after the member name "a" at byte 5"#)
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse("{} x") }
        #expect(throws: JSONParser.SyntaxError.self) { try JSONParser.parse("[01]") }
    }
}

extension ProtoMessage {
    fileprivate var protoMessageNameOfType: String { Self.protoMessageName }
}
