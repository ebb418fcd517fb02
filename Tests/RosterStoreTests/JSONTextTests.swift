import Foundation
import Testing

@testable import RosterStore

/// The store's list and map columns read back exactly what was written, by the byte reader for
/// canonical text and by the JSON decoder for anything else.
@Suite struct JSONTextTests {
    static let lists: [[String]] = [
        [], [""], ["", ""], ["+1 555 0100"], ["+1 555 0100", "+44 20 7946 0000"],
        ["a,b", "c:d", "\",\"", "back\\slash", "tab\tnew\nline", "\u{01}"],
        ["\u{301}starts with a combining mark", "ends with one\u{301}", "日本語", "emoji 👩‍👩‍👧"],
    ]

    @Test("a list reads back as written, escapes or not", arguments: lists)
    func listRoundTrip(_ list: [String]) {
        #expect(PhoneList.decode(PhoneList.encode(list)) == list)
    }

    @Test("a map reads back as written, escapes or not", arguments: lists)
    func mapRoundTrip(_ list: [String]) {
        let map = Dictionary(list.enumerated().map { ("key\($0.offset)\($0.element)", $0.element) }) { a, _ in a }
        #expect(AttributeMap.decode(AttributeMap.encode(map)) == map)
    }

    @Test("canonical text is read without the JSON decoder; text with escapes is left to it")
    func byteReader() {
        let bracket = (UInt8(ascii: "["), UInt8(ascii: "]"))
        #expect(
            JSONText.canonicalStrings(#"["a","","b:c"]"#, open: bracket.0, close: bracket.1, pairs: false) == [
                "a", "", "b:c",
            ]
        )
        #expect(JSONText.canonicalStrings(#"["a\"b"]"#, open: bracket.0, close: bracket.1, pairs: false) == nil)
        #expect(
            JSONText.canonicalStrings(
                #"{"k":"v","x":""}"#,
                open: UInt8(ascii: "{"),
                close: UInt8(ascii: "}"),
                pairs: true
            )
                == ["k", "v", "x", ""]
        )
    }

    @Test("text edited by hand (spaces, other shapes) is decoded as JSON, or read as empty when it is not JSON")
    func handEdited() {
        #expect(PhoneList.decode(#"[ "a" , "b" ]"#) == ["a", "b"])
        #expect(AttributeMap.decode(#"{ "k" : "v" }"#) == ["k": "v"])
        #expect(
            JSONText.canonicalStrings(#"["a",]"#, open: UInt8(ascii: "["), close: UInt8(ascii: "]"), pairs: false)
                == nil
        )
        #expect(PhoneList.decode(#"["a""b"]"#) == [])
        #expect(AttributeMap.decode(#"{"k":"v","x"}"#) == [:])
        #expect(AttributeMap.decode(#"{"k","v"}"#) == [:])
        #expect(PhoneList.decode("not json") == [])
    }
}
