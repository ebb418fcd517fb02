import Synchronization

/// An `AsyncSequence` of pages, fetched as the caller iterates.
///
/// A source's fetch step downloads one page and returns it undecoded (as a thunk) with the cursor
/// of the next page (for Graph, the `@odata.nextLink`). The iterator starts downloading page N+1
/// before it decodes page N and hands it over, so the directory's and the network's time overlaps
/// with decoding and with the caller's own work on the page. At most two pages are held: the one
/// being decoded or used, and the one downloading. Iteration throws ``DirectoryError``; each
/// iteration starts from the first page again; an iterator dropped early, or a cancel of the task
/// iterating, cancels its download.
package struct DirectoryPages<Page: Sendable>: AsyncSequence, Sendable {
    package typealias Element = Page
    package typealias Failure = DirectoryError

    /// A downloaded page, decoded when called.
    package typealias Deferred = @Sendable () throws(DirectoryError) -> Page
    /// Downloads one page: `nil` asks for the first, otherwise the cursor the previous page returned.
    /// Returns the page, still to decode, and the cursor of the next one, `nil` after the last.
    package typealias Fetch = @Sendable (_ cursor: String?) async throws(DirectoryError) -> (Deferred, next: String?)

    private let fetch: Fetch

    /// Pages produced by `fetch`, first with a `nil` cursor, then with each returned cursor.
    package init(fetch: @escaping Fetch) {
        self.fetch = fetch
    }

    /// Pages already in memory (or cheap to make): `fetch` returns each page ready.
    package init(
        pages fetch: @escaping @Sendable (_ cursor: String?) async throws(DirectoryError) -> (Page, next: String?)
    ) {
        self.fetch = { cursor throws(DirectoryError) in
            let (page, next) = try await fetch(cursor)
            return ({ page }, next)
        }
    }

    package func makeAsyncIterator() -> Iterator {
        Iterator(fetch: fetch)
    }

    /// Walks the cursors until one is `nil`, one download ahead.
    package struct Iterator: AsyncIteratorProtocol {
        private let fetch: Fetch
        private let download = Download()
        private var started = false
        /// Every cursor followed so far: a directory whose links lead back to a page already read
        /// would otherwise be listed forever.
        private var followed: Set<String> = []

        init(fetch: @escaping Fetch) {
            self.fetch = fetch
        }

        package mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(DirectoryError)
            -> Page?
        {
            if !started {
                started = true
                download.start(fetch, cursor: nil)
            }
            guard let task = download.take() else { return nil }
            // The download is a task of its own (it runs ahead of the caller); a cancel of the
            // caller (CancelSync, shutdown) must reach it, or a throttled download would keep
            // the job waiting out a Retry-After of up to 15 minutes.
            let (page, next) = try await withTaskCancellationHandler {
                await task.value
            } onCancel: {
                task.cancel()
            }.get()
            if let next {
                guard followed.insert(next).inserted else {
                    throw DirectoryError(
                        .limitExceeded,
                        "the directory's next-page link leads back to a page already read (after \(followed.count) pages); "
                            + "the listing loops, so the run stops",
                        directoryCode: "nextLinkLoop"
                    )
                }
                download.start(fetch, cursor: next)
            }
            return try page()
        }

        package mutating func next() async throws(DirectoryError) -> Page? {
            try await next(isolation: nil)
        }
    }

    /// The download in flight; cancelled when the iterator goes away before taking it.
    private final class Download: Sendable {
        typealias Pending = Task<Result<(Deferred, next: String?), DirectoryError>, Never>

        private let pending = Mutex<Pending?>(nil)

        func start(_ fetch: @escaping Fetch, cursor: String?) {
            let task = Pending {
                do throws(DirectoryError) {
                    return .success(try await fetch(cursor))
                } catch {
                    return .failure(error)
                }
            }
            pending.withLock { $0 = task }
        }

        func take() -> Pending? {
            pending.withLock { pending in
                defer { pending = nil }
                return pending
            }
        }

        deinit {
            pending.withLock { $0?.cancel() }
        }
    }
}
