public import RosterWire

/// The tenant's contact changes after a cursor, live and without end: what
/// ``RosterClient/contactChanges(after:)`` returns.
///
/// Iterating opens a WatchContactChanges stream after the cursor and yields each change in order.
/// When the connection is lost or the server goes away (UNAVAILABLE), it opens a new stream after
/// the last change it yielded: nothing is missed and nothing comes twice. It waits between
/// attempts (0.5 s, doubling up to 30 s, back to 0.5 s after a change arrives). Any other status
/// is thrown from the loop: FAILED_PRECONDITION when the cursor is older than the server's
/// retained history (read every contact again with ``RosterClient/allContacts(search:pageSize:timeout:)``
/// and resume from the first page's `changeCursor`). Store ``AsyncIterator/cursor`` (or the last
/// change's `cursor`) to resume after a restart.
public struct RosterContactChanges: AsyncSequence, Sendable {
    public typealias Element = ContactChange

    private let client: RosterClient
    private let after: Int64

    init(client: RosterClient, after: Int64) {
        self.client = client
        self.after = after
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(client: client, cursor: after)
    }

    /// Reads one stream at a time, opening the next after the last change it yielded.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let client: RosterClient
        private var stream: RPCResponseStream<ContactChange>.AsyncIterator?
        private var delay: Duration = RosterContactChanges.firstDelay
        /// The cursor of the last change yielded (the starting cursor before the first).
        public private(set) var cursor: Int64

        init(client: RosterClient, cursor: Int64) {
            self.client = client
            self.cursor = cursor
        }

        /// The next change, waiting for one to be committed; nil only when the task is cancelled.
        public mutating func next() async throws -> ContactChange? {
            while !Task.isCancelled {
                do {
                    if stream == nil {
                        stream = try await client.watchContactChanges(after: cursor).makeAsyncIterator()
                    }
                    if let change = try await stream?.next() {
                        cursor = change.cursor
                        delay = RosterContactChanges.firstDelay
                        return change
                    }
                    // The server ended the stream (it never does unless going away): open another,
                    // after the same wait as after a lost connection.
                } catch let error as RosterError where error.code == .unavailable {}
                stream = nil
                guard (try? await Task.sleep(for: delay)) != nil else { return nil }
                delay = Swift.min(delay * 2, RosterContactChanges.longestDelay)
            }
            return nil
        }
    }

    static let firstDelay: Duration = .milliseconds(500)
    static let longestDelay: Duration = .seconds(30)
}
