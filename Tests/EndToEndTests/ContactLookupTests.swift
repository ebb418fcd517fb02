import RosterClient
import RosterRPC
import RosterWire
import Testing

/// GetContact through a real rosterd: the client's keyword forms, and the answers to lookups that
/// can name no one.
@Suite("GetContact lookups against rosterd")
struct ContactLookupTests {
    @Test("keyword lookups find the synced contact by id, mail and userPrincipalName")
    func keywordLookups() async throws {
        try await Scenario.run { scenario in
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            _ = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            let reader = try scenario.client(scenario.acme.reader)
            let page = try await reader.listContacts(pageSize: 50)
            let someone = try #require(page.contacts.first { !$0.mail.isEmpty })
            #expect(try await reader.getContact(id: someone.id).id == someone.id)
            #expect(try await reader.getContact(mail: someone.mail.uppercased()).id == someone.id)
            #expect(try await reader.getContact(userPrincipalName: someone.userPrincipalName).id == someone.id)
        }
    }

    @Test("GetContact answers INVALID_ARGUMENT naming the field for an empty, overlong or '@'-less lookup")
    func invalidLookups() async throws {
        try await Scenario.run { scenario in
            let reader = try scenario.client(scenario.acme.reader)
            let long = String(repeating: "a", count: 250) + "@example.com"
            let cases: [(GetContactRequest.Lookup, String)] = [
                (.mail(""), "GetContact's mail is empty; give the mail to look up"),
                (.id(""), "GetContact's id is empty; give the id to look up"),
                (
                    .userPrincipalName(""),
                    "GetContact's user_principal_name is empty; give the user_principal_name to look up"
                ),
                (
                    .mail("ada"),
                    "GetContact's mail \"ada\" has no '@'; give an address like ada@example.com, or look up by id"
                ),
                (
                    .userPrincipalName("ada"),
                    "GetContact's user_principal_name \"ada\" has no '@'; give an address like ada@example.com, or look up by id"
                ),
                (.mail(long), "GetContact's mail is 262 characters long; at most 256 can name a contact"),
                (
                    .id(String(repeating: "x", count: 257)),
                    "GetContact's id is 257 characters long; at most 256 can name a contact"
                ),
            ]
            for (lookup, message) in cases {
                let error = await expectStatus(.invalidArgument) { _ = try await reader.getContact(lookup) }
                #expect(error?.message == message, "\(lookup)")
            }
            // An id that is merely unknown is not malformed: NOT_FOUND, as before.
            await expectStatus(.notFound) { _ = try await reader.getContact(id: "nobody") }
            await expectStatus(.notFound) { _ = try await reader.getContact(mail: "nobody@example.com") }
        }
    }
}
