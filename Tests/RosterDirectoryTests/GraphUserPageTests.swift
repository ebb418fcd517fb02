import NIOCore
import Testing

@testable import RosterDirectory

@Suite("GraphUserPage: the one decoder of user pages and exports")
struct GraphUserPageTests {
    func read(_ json: String) throws -> GraphUserPage {
        try GraphUserPage.read(ByteBuffer(string: json))
    }

    @Test("reads users, links and count in any property order, skipping unknown properties of any shape")
    func readsAPage() throws {
        let page = try read(
            #"""
            { "value": [ {"id":"1","displayName":"Ann","extra":{"a":[1,2.5e3,{"b":null}],"c":true},"businessPhones":["+1 2"],
                          "onPremisesExtensionAttributes":{"extensionAttribute1":"x","extensionAttribute15":"y","other":1},
                          "accountEnabled":false,"userType":"Guest"} ],
              "@odata.count": 1200, "@odata.context": "ignored", "@odata.nextLink": "https://graph/next" }
            """#
        )
        #expect(page.nextLink == "https://graph/next")
        #expect(page.deltaLink == nil)
        #expect(page.count == 1200)
        let user = try #require(page.users.first)
        #expect(user.displayName == "Ann")
        #expect(user.businessPhones == ["+1 2"])
        #expect(user.extensionAttributes[1] == "x" && user.extensionAttributes[15] == "y")
        #expect(user.accountEnabled == false)
        #expect(user.isGuest)
    }

    @Test("null and absent properties both read as nil; null businessPhones as []")
    func nullsAndAbsence() throws {
        let page = try read(
            #"{"value":[{"id":"1","mail":null,"businessPhones":null,"onPremisesExtensionAttributes":null}]}"#
        )
        #expect(page.users == [DirectoryUser(id: "1")])
    }

    @Test("string escapes: quotes, backslashes, control escapes, \\u with surrogate pairs, raw UTF-8")
    func escapes() throws {
        let page = try read(#"{"value":[{"id":"1","displayName":"O\"Brien \\ \/ \n\t \u00e9 \ud83d\ude00 東京 محمد"}]}"#)
        #expect(page.users.first?.displayName == "O\"Brien \\ / \n\t é 😀 東京 محمد")
    }

    @Test("an escaped property name still matches")
    func escapedName() throws {
        let page = try read(#"{"value":[{"id":"1","\u0063ity":"Paris"}]}"#)
        #expect(page.users.first?.city == "Paris")
    }

    @Test("delta entries: @removed becomes a removal with its reason, users stay users")
    func removals() throws {
        let page = try read(
            #"{"@odata.deltaLink":"d","value":[{"id":"a","@removed":{"reason":"changed"}},{"id":"b","mail":"b@x"},{"@removed":{},"id":"c"}]}"#
        )
        #expect(page.removed == [.init(id: "a", reason: "changed"), .init(id: "c", reason: "deleted")])
        #expect(page.users.map(\.id) == ["b"])
        #expect(page.deltaLink == "d")
    }

    @Test("links: found before value without reading the users, or after value by skimming them")
    func links() throws {
        let early = try GraphUserPage.links(
            ByteBuffer(string: #"{"@odata.nextLink":"n","value":[{"id":"1"} this is never read"#)
        )
        #expect(early.nextLink == "n")
        let late = try GraphUserPage.links(
            ByteBuffer(string: #"{"value":[{"id":"1","x":"a\"}b"}],"@odata.deltaLink":"d"}"#)
        )
        #expect(late.nextLink == nil)
        #expect(late.deltaLink == "d")
    }

    @Test(
        "malformed JSON and wrong types fail with the byte offset",
        arguments: [
            #"{"value":[{"id":"1"}]"#,
            #"{"value":[{"id":"1",}]}"#,
            #"{"value":[{"id":"1","mail":42}]}"#,
            #"{"value":[{"mail":"no id"}]}"#,
            #"{"value":[{"id":"1","displayName":"bad \q escape"}]}"#,
            #"{"value":[]} trailing"#,
            "{\"value\":[{\"id\":\"1\",\"city\":\"raw\ncontrol\"}]}",
            "",
        ]
    )
    func malformed(_ json: String) {
        #expect(throws: GraphJSONReader.Failure.self) { try read(json) }
    }
}
