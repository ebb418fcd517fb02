/// Why a directory call failed, with what the directory itself said.
///
/// Decide on ``code``; show ``message`` (it says what to do next). ``directoryCode`` is the
/// directory's own error code (Graph's `error.code`, or `AADSTS7000215` from the token endpoint),
/// and ``requestID`` is Graph's `request-id`, which Microsoft support asks for. Neither the message
/// nor any other field ever holds a secret or a token.
package struct DirectoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; the caller's next step depends on it.
    package var code: Code
    /// What went wrong and what to do next, in words.
    package var message: String
    /// The directory's own error code: Graph's `error.code` or the token endpoint's `AADSTS…` code.
    package var directoryCode: String?
    /// Graph's `request-id` of the failed request, when it sent one.
    package var requestID: String?
    /// The HTTP status of the failed response, when there was one.
    package var httpStatus: Int?

    /// An error with the given fields.
    package init(
        _ code: Code,
        _ message: String,
        directoryCode: String? = nil,
        requestID: String? = nil,
        httpStatus: Int? = nil
    ) {
        self.code = code
        self.message = message
        self.directoryCode = directoryCode
        self.requestID = requestID
        self.httpStatus = httpStatus
    }

    package var description: String {
        var text = "\(code): \(message)"
        if let directoryCode { text += " [directory code \(directoryCode)]" }
        if let requestID { text += " [request-id \(requestID)]" }
        return text
    }

    /// The kinds of failure. A struct over a private enum so kinds can be added without breaking
    /// callers' `switch`es (compare with `==`).
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case authFailed, consentMissing, throttled, notFound, resyncRequired, transient, permanent, limitExceeded
        }

        private let value: Value

        private init(_ value: Value) { self.value = value }

        /// The credentials were refused (wrong or expired secret, unknown application or tenant).
        /// The connection becomes CREDENTIALS_INVALID.
        package static let authFailed = Code(.authFailed)
        /// The token works but lacks the application permissions Roster needs, or the directory
        /// answered 403 `Authorization_RequestDenied`. The connection becomes CONSENT_REVOKED.
        package static let consentMissing = Code(.consentMissing)
        /// The directory kept throttling past the retry budget.
        package static let throttled = Code(.throttled)
        /// The object (a group, usually) does not exist.
        package static let notFound = Code(.notFound)
        /// The delta link is expired or unknown (410, `syncStateNotFound`, `resyncRequired`):
        /// run a full sync.
        package static let resyncRequired = Code(.resyncRequired)
        /// The network or the directory failed in a way that may pass (timeouts, 5xx) and the
        /// retry budget ran out; trying again later may work.
        package static let transient = Code(.transient)
        /// Anything else that trying again will not fix (bad request, malformed response).
        package static let permanent = Code(.permanent)
        /// The directory's answers went past a bound of this server: an `@odata.nextLink` that
        /// leads back to a page already read, or more pages or users than a run may hold.
        package static let limitExceeded = Code(.limitExceeded)

        package var description: String { value.rawValue }
    }
}
