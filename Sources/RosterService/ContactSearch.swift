internal import Foundation
import RosterRPC
package import RosterStore

/// ListContacts' `search`: a prefix of the display name, of the name (display, given or surname)
/// from one of its words on, of the mail or of the userPrincipalName, all folded as the group
/// search folds them (``SearchFolding``: case, accents, apostrophes and punctuation ignored).
///
/// This is the rule. The service answers it from ``ContactIndex`` (in memory, per tenant); the
/// scan here (``page(store:tenant:after:pageSize:)``: every contact read in chunks and filtered,
/// about 0.3 s per 100,000) is what the index is tested and measured against.
package struct ContactSearch: Sendable {
    /// One page of a listing.
    package struct Page: Sendable {
        package var contacts: [ContactRecord]
        package var hasMore: Bool
        /// Matching contacts in all pages.
        package var total: Int
    }

    private let prefix: String

    /// A search for `query` (folded, leading and trailing spaces ignored).
    package init(query: String) {
        self.prefix = SearchFolding.fold(query)
    }

    /// Whether `contact` matches.
    package func matches(_ contact: ContactRecord) -> Bool {
        if prefix.isEmpty { return true }
        for field in [contact.displayName, contact.mail, contact.userPrincipalName] {
            if let field, SearchFolding.fold(field).hasPrefix(prefix) { return true }
        }
        for field in [contact.displayName, contact.givenName, contact.surname] {
            guard let field else { continue }
            if SearchFolding.wordStarts(in: field).contains(where: { $0.hasPrefix(prefix) }) { return true }
        }
        return false
    }

    /// The matches with ids after `after`, up to `pageSize`, and the count of all matches.
    package func page(store: any Store, tenant: String, after: String?, pageSize: Int) async throws(StoreError) -> Page
    {
        try await page(after: after, pageSize: pageSize) { cursor, limit throws(StoreError) in
            try await store.contacts(tenant: tenant, after: cursor, limit: limit)
        }
    }

    /// The same page, reading contacts in id order from `contacts(after, limit)`. The filtering
    /// runs off the caller's event loop (``offEventLoop(_:)``).
    package func page(
        after: String?,
        pageSize: Int,
        contacts: (_ after: String?, _ limit: Int) async throws(StoreError) -> [ContactRecord]
    ) async throws(StoreError) -> Page {
        try await offEventLoop { () async throws(StoreError) -> Page in
            var page = Page(contacts: [], hasMore: false, total: 0)
            var cursor: String?
            while true {
                let chunk = try await contacts(cursor, Self.chunkSize)
                for contact in chunk where matches(contact) {
                    page.total += 1
                    guard after.map({ $0.utf8.lexicographicallyPrecedes(contact.id.utf8) }) ?? true else { continue }
                    if page.contacts.count < pageSize { page.contacts.append(contact) } else { page.hasMore = true }
                }
                guard chunk.count == Self.chunkSize, let last = chunk.last else { return page }
                cursor = last.id
            }
        }
    }

    /// Contacts read from the store at a time.
    private static let chunkSize = 2_000
}

/// The opaque ListContacts page token: the last contact id of the previous page.
enum ContactPageToken {
    static func encode(_ id: String) -> String {
        "c1." + Data(id.utf8).base64EncodedString()
    }

    static func decode(_ token: String) throws(RPCError) -> String {
        guard token.hasPrefix("c1."), let data = Data(base64Encoded: String(token.dropFirst(3))),
            let id = String(data: data, encoding: .utf8)
        else {
            throw RPCError(.invalidArgument, "page_token is not one this server gave; start from the first page")
        }
        return id
    }
}
