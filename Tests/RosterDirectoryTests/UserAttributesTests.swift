import Foundation
import GraphTestDouble
import NIOCore
import RosterDirectory
import Testing

@testable import RosterDirectory

/// Additional user properties: the names a tenant may list, how values read, and the Graph
/// double selecting them (and refusing unknown ones) over real HTTP.
@Suite("Additional user properties")
struct UserAttributesTests {
    static let costCentre = "extension_0f2a9c4e8b7d4e1fa3c65d2b9e8f7a61_costCentre"

    @Test("names are canonical in Graph's case, extension app ids lowercase, duplicates and blanks dropped")
    func canonicalNames() throws {
        let names = try UserAttributes.canonical([
            "EMPLOYEEID", " otherMails ", "employeeId", "", "extension_0F2A9C4E8B7D4E1FA3C65D2B9E8F7A61_costCentre",
            Self.costCentre.uppercased(),
        ])
        #expect(names == ["employeeId", "otherMails", Self.costCentre])
        #expect(try UserAttributes.canonical([]) == [])
    }

    @Test("every unknown, malformed or already-synced name is named in one refusal; more than 100 is refused")
    func refusals() throws {
        let refusal = try #require(throws: UserAttributes.Refusal.self) {
            try UserAttributes.canonical([
                "employeeId", "shoeSize", "aboutMe", "extension_123_x",
                "extension_0f2a9c4e-8b7d-4e1f-a3c6-5d2b9e8f7a61_x",
                "MAIL", "accountEnabled",
            ])
        }
        #expect(refusal.unknown == ["shoeSize", "aboutMe"])
        #expect(refusal.malformedExtensions == ["extension_123_x", "extension_0f2a9c4e-8b7d-4e1f-a3c6-5d2b9e8f7a61_x"])
        #expect(refusal.contactFields == ["mail", "accountEnabled"])
        #expect(refusal.description.contains("unknown user properties: shoeSize, aboutMe"))
        #expect(refusal.description.contains("extension_<the owning app's client id, 32 hex digits without dashes>"))
        let many = (0...100).map { "extension_0f2a9c4e8b7d4e1fa3c65d2b9e8f7a61_p\($0)" }
        let tooMany = try #require(throws: UserAttributes.Refusal.self) { try UserAttributes.canonical(many) }
        #expect(tooMany.tooMany == 101)
        #expect(tooMany.description == "101 names given; at most 100 additional user properties per tenant")
        #expect(try UserAttributes.canonical(Array(many.prefix(100))).count == 100)
    }

    @Test("values read as text: strings, numbers, booleans, lists joined by line feeds; null and [] leave the key out")
    func valuesAsText() throws {
        let body = """
            {"value":[{"id":"u1","employeeId":"E-1","otherMails":["a@x.example",null,"b@x.example"],
            "onPremisesSyncEnabled":true,"EXTENSION_0F2A9C4E8B7D4E1FA3C65D2B9E8F7A61_COSTCENTRE":4410,
            "proxyAddresses":[],"employeeType":null,"unasked":{"deep":[1]}}]}
            """
        let names = [
            "employeeId", "otherMails", "onPremisesSyncEnabled", Self.costCentre, "proxyAddresses",
            "employeeType", "usageLocation",
        ]
        let page = try GraphUserPage.read(ByteBuffer(string: body), attributes: names)
        let user = try #require(page.users.first)
        #expect(
            user.attributes == [
                "employeeId": "E-1", "otherMails": "a@x.example\nb@x.example", "onPremisesSyncEnabled": "true",
                Self.costCentre: "4410",
            ]
        )
        #expect(user.reportedAttributes == Set(names.dropLast()))
        #expect(page.partial["u1"] != nil, "usageLocation was left out, so the row is partial")
    }

    @Test("the double serves schema extensions and standard properties by $select, matched without case")
    func doubleServesSelectedProperties() async throws {
        try await GraphDoubleHarness.run(
            try TestDirectories.demo(),
            configure: { $0.attributes = ["employeeId", "otherMails", Self.costCentre] }
        ) { harness in
            let users = try await harness.directory.users().collect().flatMap(\.items)
            let demo = try FileDirectory.demo(
                configuration: {
                    var configuration = FileDirectory.Configuration()
                    configuration.attributes = ["employeeId", "otherMails", Self.costCentre]
                    return configuration
                }()
            )
            #expect(users.map(\.attributes) == demo.export.users.map(\.attributes))
            #expect(users.contains { $0.attributes[Self.costCentre] == "KST 300" })
            #expect(users.contains { $0.attributes["otherMails"]?.contains("\n") == true })
            let select = try #require(harness.graphRequests("/v1.0/users").first?.query["$select"])
            #expect(select.hasSuffix(",employeeId,otherMails,\(Self.costCentre)"))
        }
    }

    @Test("the double refuses a property users do not have as Graph does: 400 Request_BadRequest naming it")
    func doubleRefusesUnknownProperties() async throws {
        try await GraphDoubleHarness.run(
            try TestDirectories.demo(),
            configure: { $0.attributes = ["shoeSize"] }
        ) { harness in
            let error = try await #require(throws: DirectoryError.self) {
                _ = try await harness.directory.userChanges(since: nil).collect()
            }
            #expect(error.httpStatus == 400)
            #expect(error.directoryCode == "Request_BadRequest")
            #expect(error.message.contains("Could not find a property named 'shoeSize' on type 'microsoft.graph.user'"))
            #expect(error.requestID?.hasPrefix("double-") == true)
        }
    }
}
