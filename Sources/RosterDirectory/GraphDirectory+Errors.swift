// What a Graph answer other than 200 means for the sync, as a DirectoryError.
extension GraphDirectory {
    /// The ``DirectoryError`` for a response other than 200, by its status and Graph's error `code`:
    /// what went wrong and what to do next, with Graph's own message and request id.
    static func error(for response: GraphTransport.Response, code: String?, what: String) -> DirectoryError {
        let requestID = GraphErrorBody.requestID(response)
        let said = GraphErrorBody.message(response).map { " (the directory said: \($0))" } ?? ""
        func make(_ kind: DirectoryError.Code, _ text: String) -> DirectoryError {
            DirectoryError(kind, text + said, directoryCode: code, requestID: requestID, httpStatus: response.status)
        }
        if response.status == 410 || code == "syncStateNotFound" || code == "resyncRequired" {
            return make(.resyncRequired, "\(what): the delta link expired or is unknown; run a full sync")
        }
        switch response.status {
        case 401:
            return make(.authFailed, "\(what) was refused even with a fresh token; check the app registration")
        case 403:
            return make(
                .consentMissing,
                "\(what) was denied (\(code ?? "403")); grant the application permissions User.Read.All and "
                    + "GroupMember.Read.All with admin consent, then connect again"
            )
        case 404:
            return make(.notFound, "\(what): no such object in the directory (\(code ?? "404"))")
        default:
            return make(.permanent, "\(what) was answered \(response.status) \(code ?? "")")
        }
    }
}
