import NIOCore
import RosterClient
import RosterRPC
import RosterWire
import Synchronization
import Testing

/// The ListContacts requests a server received.
private final class ReceivedRequests: Sendable {
    let listContacts = Mutex<[ListContactsRequest]>([])
    let getContact = Mutex<[GetContactRequest]>([])
}

/// A server holding `count` contacts ("c1" …), paging them by offset; GetContact answers a contact
/// whose id tells the lookup it received; GetStatus never answers (until its deadline cancels it).
private func contactServer(count: Int, _ received: ReceivedRequests) throws -> RPCServer {
    let contacts = (1...count).map { number in
        var contact = Contact()
        contact.id = "c\(number)"
        return contact
    }
    var router = RPCRouter()
    router.register(RosterMethods.listContacts) { request, _ in
        received.listContacts.withLock { $0.append(request) }
        let size = request.pageSize == 0 ? 100 : Int(request.pageSize)
        let start = request.pageToken.isEmpty ? 0 : Int(request.pageToken)!
        var response = ListContactsResponse()
        response.contacts = Array(contacts[start..<min(start + size, contacts.count)])
        response.total = Int64(contacts.count)
        if start + size < contacts.count { response.nextPageToken = String(start + size) }
        return response
    }
    router.register(RosterMethods.getContact) { request, _ in
        received.getContact.withLock { $0.append(request) }
        var contact = Contact()
        switch request.lookup {
        case .id(let id)?: contact.id = "id=\(id)"
        case .mail(let mail)?: contact.id = "mail=\(mail)"
        case .userPrincipalName(let name)?: contact.id = "upn=\(name)"
        case nil: contact.id = "none"
        }
        var response = GetContactResponse()
        response.contact = contact
        return response
    }
    router.register(RosterMethods.getStatus) { _, _ in
        // Ended only by the caller's deadline, which cancels this sleep.
        try await Task.sleep(for: .seconds(3_600))
        return GetStatusResponse()
    }
    return try RPCServer(configuration: .init(host: "127.0.0.1", port: 0, tls: nil), router: router)
}

/// Runs `body` with a client of a fresh `contactServer`, then shuts both down.
private func withContactServer(
    count: Int = 7,
    defaultTimeout: Duration? = nil,
    _ body: (RosterClient, ReceivedRequests) async throws -> Void
) async throws {
    let received = ReceivedRequests()
    let server = try contactServer(count: count, received)
    let port = try await server.start().port!
    let configuration = RosterClientConfiguration(
        host: "127.0.0.1",
        port: port,
        security: .plaintext,
        apiKey: "k",
        defaultTimeout: defaultTimeout
    )
    do {
        try await withRosterClient(configuration) { try await body($0, received) }
    } catch {
        await server.shutdown()
        throw error
    }
    await server.shutdown()
}

@Suite("The client's keyword forms, pages sequence and timeouts")
struct ConvenienceCallTests {
    @Test("getContact(id:), (mail:) and (userPrincipalName:) send that lookup and return its contact")
    func getContactForms() async throws {
        try await withContactServer { client, received async throws in
            #expect(try await client.getContact(id: "42").id == "id=42")
            #expect(try await client.getContact(mail: "ada@example.com").id == "mail=ada@example.com")
            #expect(try await client.getContact(userPrincipalName: "ada@corp.example").id == "upn=ada@corp.example")
            #expect(
                received.getContact.withLock { $0.map(\.lookup) } == [
                    .id("42"), .mail("ada@example.com"), .userPrincipalName("ada@corp.example"),
                ]
            )
        }
    }

    @Test("listContacts(search:pageSize:pageToken:) sends the three fields and returns the page")
    func listContactsForm() async throws {
        try await withContactServer { client, received async throws in
            let first = try await client.listContacts(search: "smi", pageSize: 3)
            #expect(first.contacts.map(\.id) == ["c1", "c2", "c3"])
            #expect(first.nextPageToken == "3")
            let second = try await client.listContacts(search: "smi", pageSize: 3, pageToken: first.nextPageToken)
            #expect(second.contacts.map(\.id) == ["c4", "c5", "c6"])
            let sent = received.listContacts.withLock { $0 }
            #expect(sent.map(\.search) == ["smi", "smi"])
            #expect(sent.map(\.pageSize) == [3, 3])
            #expect(sent.map(\.pageToken) == ["", "3"])
            // No arguments: the server's defaults.
            #expect(try await client.listContacts().contacts.count == 7)
            #expect(received.listContacts.withLock { $0.last?.pageSize } == 0)
        }
    }

    @Test("allContacts yields every contact of every page in order, each page asked for with pageSize, and ends")
    func allContacts() async throws {
        try await withContactServer(count: 7) { client, received async throws in
            var ids: [String] = []
            for try await contact in client.allContacts(search: "a", pageSize: 3) { ids.append(contact.id) }
            #expect(ids == (1...7).map { "c\($0)" })
            let sent = received.listContacts.withLock { $0 }
            #expect(sent.map(\.pageToken) == ["", "3", "6"])
            #expect(sent.allSatisfy { $0.pageSize == 3 && $0.search == "a" })
        }
    }

    @Test("allContacts asks for the next page only when this one has been read")
    func allContactsIsLazy() async throws {
        try await withContactServer(count: 7) { client, received async throws in
            var iterator = client.allContacts(pageSize: 3).makeAsyncIterator()
            #expect(received.listContacts.withLock { $0.count } == 0)
            for expected in ["c1", "c2", "c3"] { #expect(try await iterator.next()?.id == expected) }
            #expect(received.listContacts.withLock { $0.count } == 1)
            #expect(try await iterator.next()?.id == "c4")
            #expect(received.listContacts.withLock { $0.count } == 2)
        }
    }

    @Test("allContacts over a page size that divides the total ends after the empty-token page")
    func allContactsExactPages() async throws {
        try await withContactServer(count: 6) { client, received async throws in
            var count = 0
            for try await _ in client.allContacts(pageSize: 3) { count += 1 }
            #expect(count == 6)
            #expect(received.listContacts.withLock { $0.map(\.pageToken) } == ["", "3"])
        }
    }

    @Test("a Duration timeout on a typed call ends it with DEADLINE_EXCEEDED")
    func durationTimeout() async throws {
        try await withContactServer { client, _ async throws in
            let error = await #expect(throws: RosterError.self) {
                try await client.getStatus(timeout: .milliseconds(50))
            }
            #expect(error?.code == .deadlineExceeded)
            // The connection still serves other calls.
            #expect(try await client.getContact(id: "1").id == "id=1")
        }
    }

    @Test("the configuration's defaultTimeout applies to a call that gives none")
    func defaultTimeout() async throws {
        try await withContactServer(defaultTimeout: .milliseconds(50)) { client, _ async throws in
            let error = await #expect(throws: RosterError.self) { try await client.getStatus() }
            #expect(error?.code == .deadlineExceeded)
        }
    }

    @Test("the configuration's memberwise init keeps the defaults it is not given")
    func memberwiseConfiguration() throws {
        let configuration = RosterClientConfiguration(host: "roster.internal", apiKey: "k")
        #expect(configuration.port == 7443)
        #expect(configuration.security == .tls)
        #expect(configuration.defaultTimeout == nil)
        #expect(configuration.backoff == RosterClientConfiguration.Backoff())
        #expect(configuration.connection == .defaults)
        let tuned = RosterClientConfiguration(
            host: "h",
            port: 1,
            security: .plaintext,
            defaultTimeout: .seconds(2),
            connection: .init(connectTimeout: .seconds(3)),
            backoff: .init(maxAttempts: 2)
        )
        #expect(tuned.defaultTimeout == .seconds(2))
        #expect(tuned.connection.connectTimeout == .seconds(3))
        #expect(tuned.connection.keepaliveInterval == .seconds(30))
        #expect(tuned.backoff.maxAttempts == 2)
        #expect(tuned.backoff.initial == .milliseconds(100))
    }

    @Test("a configuration from an address: host:port, [v6]:port, a bare host; anything else is INVALID_ARGUMENT")
    func addressConfiguration() throws {
        let named = try RosterClientConfiguration(address: "roster.internal:9443", apiKey: "k")
        #expect(named.host == "roster.internal")
        #expect(named.port == 9443)
        #expect(named.apiKey == "k")
        let v6 = try RosterClientConfiguration(address: "[::1]:7000")
        #expect(v6.host == "::1")
        #expect(v6.port == 7000)
        #expect(try RosterClientConfiguration(address: "roster.internal").port == 7443)
        for bad in ["", ":7443", "host:0", "host:x", "a:b:c", "[::1"] {
            let error = #expect(throws: RosterError.self) { try RosterClientConfiguration(address: bad) }
            #expect(error?.code == .invalidArgument, "\(bad)")
        }
    }
}
