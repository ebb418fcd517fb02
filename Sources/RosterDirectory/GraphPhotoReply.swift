import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Reads Graph's two photo replies as untrusted input: the metadata of
/// `GET /users/{id}/photo` (`@odata.mediaEtag`, `@odata.mediaContentType`) and the `Content-Type`
/// of `GET /users/{id}/photo/$value`. Anything else than what Graph documents fails with a
/// ``DirectoryError`` that names the request and what was wrong, never a crash.
enum GraphPhotoReply {
    /// The metadata reply is a small JSON object; a larger one is refused.
    static let maximumMetadataBytes = 64 * 1024
    /// The longest etag accepted (Graph's are about 10 characters).
    static let maximumETagLength = 256
    /// The longest media type accepted.
    static let maximumContentTypeLength = 100

    private struct Metadata: Decodable {
        var etag: String?
        var contentType: String?

        enum CodingKeys: String, CodingKey {
            case etag = "@odata.mediaEtag"
            case contentType = "@odata.mediaContentType"
        }
    }

    /// The photo's etag from the metadata reply.
    static func etag(_ body: ByteBuffer, what: String) throws(DirectoryError) -> String {
        let metadata: Metadata
        do {
            metadata = try JSONDecoder().decode(Metadata.self, from: body)
        } catch {
            throw DirectoryError(.permanent, "\(what) answered JSON this client cannot read: \(error)")
        }
        guard let etag = metadata.etag else {
            throw DirectoryError(
                .permanent,
                "\(what) answered no @odata.mediaEtag, so the photo's version is unknown; the photo is not synced"
            )
        }
        guard (1...maximumETagLength).contains(etag.utf8.count), etag.utf8.allSatisfy({ (0x20...0x7E).contains($0) })
        else {
            throw DirectoryError(
                .permanent,
                "\(what) answered an @odata.mediaEtag of \(etag.utf8.count) bytes that is not 1 to "
                    + "\(maximumETagLength) printable ASCII characters; the photo is not synced"
            )
        }
        return etag
    }

    /// The media type of a `$value` reply: `image/<subtype>`, parameters dropped, in lower case.
    static func contentType(_ headers: HTTPHeaders, what: String) throws(DirectoryError) -> String {
        let given = headers.first(name: "Content-Type") ?? ""
        let type = given.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
        let subtype = type.hasPrefix("image/") ? type.dropFirst("image/".count) : ""
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.+-")
        guard !subtype.isEmpty, type.count <= maximumContentTypeLength, subtype.allSatisfy(allowed.contains) else {
            let shown = given.isEmpty ? "no Content-Type" : "Content-Type \"\(given.prefix(60))\""
            throw DirectoryError(.permanent, "\(what) answered \(shown), not an image; the photo is not synced")
        }
        return type
    }
}
