import RosterDirectory
import RosterRPC
import RosterStore
import RosterSync
import RosterWire
import Testing

@testable import RosterService

/// SetContactOverride and ClearContactOverride through the service, and what the reads show.
@Suite("Contact overrides in the service")
struct OverrideTests {
    static let admin = Caller(tenantID: "t", role: .admin, keyID: "a1", label: "ops")
    static let editor = Caller(tenantID: "t", role: .editor, keyID: "e1", label: "HR desk")
    static let reader = Caller(tenantID: "t", role: .reader, keyID: "r1", label: "signatures")

    /// Runs `body` with a service over a store holding tenant "t" with two contacts, Ann and Bob;
    /// the tenant syncs the additional property `employeeId`.
    func withService(_ body: (RosterService, SQLiteStore) async throws -> Void) async throws {
        try await withTemporaryStore { store in
            var tenant = try #require(try await store.tenant(id: "t"))
            tenant.attributes = ["employeeId"]
            try await store.updateTenant(tenant)
            try await store.stage(job: "seed", contacts: [Self.ann(), Self.bob()], removals: [])
            _ = try await store.apply(job: "seed", tenant: "t", kind: .replaceAll, now: 1, deltaLink: nil)
            let connector = DirectoryConnector()
            let jobs = JobManager(
                store: store,
                configuration: .init(directories: { tenant, onThrottle in
                    try await connector.directory(tenant: tenant, store: store, onThrottle: onThrottle)
                })
            )
            var configuration = RosterService.Configuration()
            configuration.now = { 1_764_000_000_000 }
            try await body(
                RosterService(store: store, jobs: jobs, connector: connector, configuration: configuration),
                store
            )
        }
    }

    static func ann() -> ContactRecord {
        var contact = ContactRecord(id: "c-ann")
        contact.displayName = "Ann Example"
        contact.givenName = "Ann"
        contact.surname = "Example"
        contact.mail = "ann@example.com"
        contact.jobTitle = "Engineer"
        contact.mobilePhone = "+44 7700 900123"
        contact.businessPhones = ["+44 20 7946 0958"]
        contact.attributes = ["employeeId": "E-1"]
        return contact
    }

    static func bob() -> ContactRecord {
        var contact = ContactRecord(id: "c-bob")
        contact.displayName = "Bob Sample"
        contact.mail = "bob@example.com"
        return contact
    }

    func set(
        _ service: RosterService,
        _ field: String,
        _ override: SetContactOverrideRequest.Override?,
        id: String = "c-ann",
        as caller: Caller = editor
    )
        async throws(RPCError) -> Contact?
    {
        var request = SetContactOverrideRequest()
        request.contactID = id
        request.field = field
        request.override = override
        return try await service.setContactOverride(request, caller: caller).contact
    }

    func get(_ service: RosterService, _ id: String = "c-ann", directoryValues: Bool = false) async throws -> Contact {
        let request = GetContactRequest(lookup: .id(id), includeDirectoryValues: directoryValues)
        return try #require(try await service.getContact(request, caller: Self.reader).contact)
    }

    func refusal(_ body: () async throws(RPCError) -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    @Test("an editor's override shows in GetContact, with who set it and the directory's value only when asked")
    func setShowsInReads() async throws {
        try await withService { service, _ in
            let answered = try #require(try await set(service, "job_title", .value("Chief People Officer")))
            #expect(answered.jobTitle == "Chief People Officer")
            #expect(answered.overrides.count == 1)
            let override = try #require(answered.overrides.first)
            #expect(override.field == "job_title" && override.value == "Chief People Officer" && !override.hidden)
            #expect(override.directoryValue == "Engineer", "the answer to a set carries the directory's value")
            #expect(override.setBy == "HR desk (e1)" && override.setUnixMs == 1_764_000_000_000)

            let read = try await get(service)
            #expect(read.jobTitle == "Chief People Officer")
            #expect(read.overrides.map(\.field) == ["job_title"])
            #expect(read.overrides.first?.directoryValue == "", "not asked for")
            #expect(try await get(service, directoryValues: true).overrides.first?.directoryValue == "Engineer")
            #expect(try await get(service, "c-bob").overrides.isEmpty)
        }
    }

    @Test("hidden fields read as empty, each kind: a string, the phones, an extension attribute, a property")
    func hidden() async throws {
        try await withService { service, _ in
            for field in ["mobile_phone", "business_phones", "extension_attributes.2", "attributes.employeeId"] {
                _ = try await set(service, field, .hidden(true))
            }
            _ = try await set(service, "extension_attributes.3", .value("Kind regards"))
            let read = try await get(service, directoryValues: true)
            #expect(read.mobilePhone == "" && read.businessPhones == [] && read.attributes == [:])
            #expect(read.extensionAttributes == [3: "Kind regards"])
            #expect(
                read.overrides.map(\.field) == [
                    "attributes.employeeId", "business_phones", "extension_attributes.2", "extension_attributes.3",
                    "mobile_phone",
                ]
            )
            #expect(read.overrides.filter(\.hidden).count == 4)
            #expect(read.overrides.first { $0.field == "business_phones" }?.directoryValue == "+44 20 7946 0958")

            _ = try await set(service, "business_phones", .value("+44 1\n+44 2"))
            #expect(try await get(service).businessPhones == ["+44 1", "+44 2"])
        }
    }

    @Test("clearing restores the directory's value; clearing a field without an override answers the contact as it is")
    func clear() async throws {
        try await withService { service, _ in
            _ = try await set(service, "display_name", .value("Annie"))
            var request = ClearContactOverrideRequest(contactID: "c-ann", field: "display_name")
            let cleared = try #require(try await service.clearContactOverride(request, caller: Self.admin).contact)
            #expect(cleared.displayName == "Ann Example" && cleared.overrides.isEmpty)
            #expect(try await get(service).displayName == "Ann Example")
            let again = try #require(try await service.clearContactOverride(request, caller: Self.editor).contact)
            #expect(again == cleared)
            request.contactID = "c-nobody"
            let error = await refusal { () async throws(RPCError) in
                _ = try await service.clearContactOverride(request, caller: Self.admin)
            }
            #expect(error?.code == .notFound)
        }
    }

    @Test("ListContacts shows effective values, and its search finds the name shown, not the one hidden beneath")
    func listAndSearch() async throws {
        try await withService { service, _ in
            var request = ListContactsRequest()
            request.search = "example"
            #expect(try await service.listContacts(request, caller: Self.reader).contacts.map(\.id) == ["c-ann"])

            _ = try await set(service, "display_name", .value("Zoë Ødegård"))
            _ = try await set(service, "given_name", .hidden(true))
            _ = try await set(service, "surname", .value("Ødegård"))
            request.search = "example"
            #expect(try await service.listContacts(request, caller: Self.reader).contacts.isEmpty)
            request.search = "zoe"
            let found = try await service.listContacts(request, caller: Self.reader)
            #expect(found.contacts.map(\.displayName) == ["Zoë Ødegård"] && found.total == 1)
            request.search = "odeg"
            #expect(try await service.listContacts(request, caller: Self.reader).contacts.map(\.id) == ["c-ann"])

            var all = ListContactsRequest()
            all.includeDirectoryValues = true
            let listed = try await service.listContacts(all, caller: Self.reader).contacts
            #expect(listed.map(\.displayName) == ["Zoë Ødegård", "Bob Sample"])
            #expect(listed[0].overrides.first { $0.field == "display_name" }?.directoryValue == "Ann Example")

            // Clearing makes the directory's name searchable again.
            _ = try await service.clearContactOverride(
                ClearContactOverrideRequest(contactID: "c-ann", field: "display_name"),
                caller: Self.editor
            )
            _ = try await service.clearContactOverride(
                ClearContactOverrideRequest(contactID: "c-ann", field: "given_name"),
                caller: Self.editor
            )
            request.search = "example"
            #expect(try await service.listContacts(request, caller: Self.reader).contacts.map(\.id) == ["c-ann"])
        }
    }

    @Test("GetContact by mail finds the contact by the directory's address, whatever an override shows")
    func lookupByDirectoryAddress() async throws {
        try await withService { service, _ in
            _ = try await set(service, "mail", .value("people@example.com"))
            let found = try await service.getContact(
                GetContactRequest(lookup: .mail("ann@example.com")),
                caller: Self.reader
            )
            #expect(found.contact?.mail == "people@example.com")
        }
    }

    @Test("a reader may neither set nor clear an override")
    func readersRefused() async throws {
        try await withService { service, store in
            let refused = await refusal { () async throws(RPCError) in
                _ = try await set(service, "job_title", .value("x"), as: Self.reader)
            }
            #expect(refused?.code == .permissionDenied)
            #expect(
                refused?.message
                    == "a reader key may not set contact overrides; this needs an editor or admin key of the tenant"
            )
            let clear = await refusal { () async throws(RPCError) in
                _ = try await service.clearContactOverride(
                    ClearContactOverrideRequest(contactID: "c-ann", field: "job_title"),
                    caller: Self.reader
                )
            }
            #expect(clear?.code == .permissionDenied)
            let stored = try await store.contactOverrides(tenant: "t")
            #expect(stored.isEmpty)
        }
    }

    @Test("an unknown contact is NOT_FOUND; bad ids, fields and values are INVALID_ARGUMENT naming what is wrong")
    func refusals() async throws {
        try await withService { service, store in
            let cases:
                [(
                    id: String, field: String, override: SetContactOverrideRequest.Override?, code: RPCError.Code,
                    says: String
                )] = [
                    ("c-nobody", "job_title", .value("x"), .notFound, "no contact with id c-nobody"),
                    ("", "job_title", .value("x"), .invalidArgument, "SetContactOverride's contact_id is empty"),
                    (
                        String(repeating: "x", count: 257), "job_title", .value("x"), .invalidArgument,
                        "257 characters long"
                    ),
                    ("c-ann", "", .value("x"), .invalidArgument, "SetContactOverride's field is empty"),
                    (
                        "c-ann", "attributes." + String(repeating: "x", count: 247), .value("x"), .invalidArgument,
                        "field is 258 characters long; no contact field has a name that long",
                    ),
                    ("c-ann", "jobTitle", .value("x"), .invalidArgument, "field \"jobTitle\" is not a contact field"),
                    ("c-ann", "id", .value("x"), .invalidArgument, "field id cannot be overridden"),
                    (
                        "c-ann", "changed_unix_ms", .value("1"), .invalidArgument,
                        "field changed_unix_ms cannot be overridden"
                    ),
                    ("c-ann", "extension_attributes.16", .value("x"), .invalidArgument, "is not a contact field"),
                    (
                        "c-ann", "attributes.shoeSize", .value("42"), .invalidArgument,
                        "names no additional user property"
                    ),
                    ("c-ann", "job_title", nil, .invalidArgument, "needs value"),
                    ("c-ann", "job_title", .hidden(false), .invalidArgument, "hidden is false"),
                    ("c-ann", "job_title", .value(""), .invalidArgument, "value is empty"),
                    (
                        "c-ann", "job_title", .value(String(repeating: "é", count: 1_025)), .invalidArgument,
                        "value is 1025 characters long; at most 1024",
                    ),
                ]
            for test in cases {
                let error = await refusal { () async throws(RPCError) in
                    _ = try await set(service, test.field, test.override, id: test.id)
                }
                #expect(error?.code == test.code, "\(test.field) \(String(describing: test.override))")
                #expect(error?.message.contains(test.says) == true, "\(error?.message ?? "no error")")
            }
            let stored = try await store.contactOverrides(tenant: "t")
            #expect(stored.isEmpty)
            // The bounds themselves are accepted.
            let longest = String(repeating: "é", count: 1_024)
            let accepted = try await set(service, "job_title", .value(longest))
            #expect(accepted?.jobTitle == longest)
        }
    }

    @Test("an additional property is named without case and kept in the settings' spelling")
    func attributeSpelling() async throws {
        try await withService { service, _ in
            let answered = try #require(try await set(service, "attributes.EMPLOYEEID", .value("E-1b")))
            #expect(answered.attributes == ["employeeId": "E-1b"])
            #expect(answered.overrides.map(\.field) == ["attributes.employeeId"])
        }
    }

    @Test("OverrideRules: a clear may name a property the tenant no longer syncs")
    func clearOfAnUnlistedProperty() throws {
        #expect(
            try OverrideRules.field("attributes.oldProperty", attributes: [], mustBeListed: false, call: "C")
                == .attribute("oldProperty")
        )
        #expect(throws: RPCError.self) {
            try OverrideRules.field("attributes.oldProperty", attributes: [], mustBeListed: true, call: "C")
        }
    }
}
