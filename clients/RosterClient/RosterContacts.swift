public import RosterWire

/// Every contact a ListContacts search matches, across all its pages: what
/// ``RosterClient/allContacts(search:pageSize:timeout:)`` returns.
///
/// Iterating asks for the first page, yields its contacts, and asks for the next page only when
/// they have all been read; it ends after the page whose `nextPageToken` is empty. A failed page
/// call throws its ``RosterError`` from the loop. Each iteration starts from the first page again.
public struct RosterContacts: AsyncSequence, Sendable {
    public typealias Element = Contact

    private let client: RosterClient
    private let request: ListContactsRequest
    private let timeout: Duration?

    init(client: RosterClient, request: ListContactsRequest, timeout: Duration?) {
        self.client = client
        self.request = request
        self.timeout = timeout
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(client: client, request: request, timeout: timeout)
    }

    /// Reads one page at a time.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let client: RosterClient
        private var request: ListContactsRequest
        private let timeout: Duration?
        private var buffered: [Contact] = []
        private var index = 0
        private var finished = false

        init(client: RosterClient, request: ListContactsRequest, timeout: Duration?) {
            self.client = client
            self.request = request
            self.timeout = timeout
        }

        /// The next contact, asking for the next page when this one is used up; nil after the last page.
        public mutating func next() async throws -> Contact? {
            while index == buffered.count {
                guard !finished else { return nil }
                let page = try await client.listContacts(request, timeout: timeout)
                buffered = page.contacts
                index = 0
                request.pageToken = page.nextPageToken
                finished = page.nextPageToken.isEmpty
            }
            defer { index += 1 }
            return buffered[index]
        }
    }
}
