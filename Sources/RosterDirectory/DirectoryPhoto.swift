/// A user's profile photo as the directory holds it.
package struct DirectoryPhoto: Sendable, Hashable {
    /// The photo's version: Graph's `@odata.mediaEtag` (quotes included), opaque, compared for
    /// equality only.
    package var etag: String
    /// Its media type, `image/…` (parameters dropped).
    package var contentType: String
    /// The image itself.
    package var bytes: [UInt8]

    package init(etag: String, contentType: String, bytes: [UInt8]) {
        self.etag = etag
        self.contentType = contentType
        self.bytes = bytes
    }
}

/// What ``DirectorySource/photo(userID:knownETag:)`` found.
package enum PhotoFetch: Sendable, Hashable {
    /// The user has no photo (Graph answers 404), or the user is gone.
    case none
    /// The photo's etag is the one the caller holds: nothing was downloaded.
    case unchanged
    /// The photo, downloaded because its etag differs from the caller's (or the caller held none).
    case changed(DirectoryPhoto)
}
