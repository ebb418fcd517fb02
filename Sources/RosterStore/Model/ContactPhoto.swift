/// A contact's profile photo as the store keeps it: beside the contact, and deleted with it.
package struct ContactPhoto: Sendable, Hashable {
    /// The directory's version of the photo (Graph's `@odata.mediaEtag`), compared for equality only.
    package var etag: String
    /// Its media type, `image/…`.
    package var contentType: String
    /// The image.
    package var bytes: [UInt8]
    /// When the store wrote it (Unix ms).
    package var changedAt: Int64

    package init(etag: String, contentType: String, bytes: [UInt8], changedAt: Int64) {
        self.etag = etag
        self.contentType = contentType
        self.bytes = bytes
        self.changedAt = changedAt
    }
}
