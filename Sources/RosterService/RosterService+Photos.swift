import RosterRPC
import RosterStore
import RosterWire

// GetContactPhoto.
extension RosterService {
    /// The photo of the contact a GetContact-style lookup names, or "not modified" when the
    /// caller's `if_none_match` is its etag (the bytes are then not even read). Any role may read.
    func getContactPhoto(_ request: GetContactPhotoRequest, caller: Caller) async throws(RPCError)
        -> GetContactPhotoResponse
    {
        let (contact, what) = try await contact(request.lookup, caller: caller, call: "GetContactPhoto")
        var response = GetContactPhotoResponse()
        if let etag = contact.photoETag, !request.ifNoneMatch.isEmpty, etag == request.ifNoneMatch {
            response.etag = etag
            response.notModified = true
            return response
        }
        let (tenant, id) = (caller.tenantID, contact.id)
        let photo =
            contact.photoETag == nil
            ? nil
            : try await storeCall { () async throws(StoreError) in try await store.photo(tenant: tenant, contactID: id)
            }
        guard let photo else {
            throw RPCError(
                .notFound,
                "the contact with \(what) has no photo: the directory holds none for the user, no sync has fetched "
                    + "it yet, or the tenant does not sync photos (UpdateSettings sync_photos)"
            )
        }
        response.etag = photo.etag
        if photo.etag == request.ifNoneMatch {
            response.notModified = true  // changed back between the two reads
        } else {
            response.photo = photo.bytes
            response.contentType = photo.contentType
        }
        return response
    }
}
