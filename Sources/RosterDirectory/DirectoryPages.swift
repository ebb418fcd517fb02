/// An `AsyncSequence` of pages, fetched one at a time as the caller iterates.
///
/// Only the current page is held: each `next()` fetches the page its predecessor pointed to (for
/// Graph, the `@odata.nextLink`), so memory stays flat however large the directory. Iteration
/// throws ``DirectoryError``. Each iteration starts from the first page again.
package struct DirectoryPages<Page: Sendable>: AsyncSequence, Sendable {
    package typealias Element = Page
    package typealias Failure = DirectoryError

    /// Fetches one page: `nil` asks for the first, otherwise the cursor the previous page returned.
    /// Returns the page and the cursor of the next one, `nil` after the last.
    package typealias Fetch = @Sendable (_ cursor: String?) async throws(DirectoryError) -> (Page, next: String?)

    private let fetch: Fetch

    /// Pages produced by `fetch`, first with a `nil` cursor, then with each returned cursor.
    package init(fetch: @escaping Fetch) {
        self.fetch = fetch
    }

    package func makeAsyncIterator() -> Iterator {
        Iterator(fetch: fetch)
    }

    /// Walks the cursors until one is `nil`.
    package struct Iterator: AsyncIteratorProtocol {
        private let fetch: Fetch
        private var cursor: String?
        private var finished = false

        init(fetch: @escaping Fetch) {
            self.fetch = fetch
        }

        package mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(DirectoryError)
            -> Page?
        {
            guard !finished else { return nil }
            let (page, next) = try await fetch(cursor)
            cursor = next
            finished = next == nil
            return page
        }

        package mutating func next() async throws(DirectoryError) -> Page? {
            try await next(isolation: nil)
        }
    }
}
