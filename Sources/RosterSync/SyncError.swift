package import RosterDirectory
package import RosterStore

/// Why a sync job could not start or did not finish: a stable code and what to do next.
///
/// `code.description` is the stable text stored in the job record's `errorCode` (and what the
/// service maps to a status); `message` names the values involved and the next step.
package struct SyncError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. A struct over a private enum so that codes can be added later.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case TENANT_NOT_FOUND, JOB_NOT_FOUND, GROUP_NOT_FOUND, GROUP_NOT_ALLOWED
            case REMOVALS_NEED_ACKNOWLEDGEMENT, SCOPE_CHANGE_NEEDS_ACKNOWLEDGEMENT
            case CREDENTIALS_INVALID, CONSENT_REVOKED, THROTTLED, DIRECTORY_UNAVAILABLE, DIRECTORY_ERROR
            case STORE_ERROR, CANCELLED, INTERRUPTED, SHUTTING_DOWN, DIRECTORY_LIMIT_EXCEEDED
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The code whose stable text is `stored` (as saved in a job record); an unknown text
        /// (written by a newer rosterd) reads as `directoryError`.
        init(stored: String) { self.value = Value(rawValue: stored) ?? .DIRECTORY_ERROR }

        /// The tenant does not exist.
        package static let tenantNotFound = Code(.TENANT_NOT_FOUND)
        /// The job asked for does not exist.
        package static let jobNotFound = Code(.JOB_NOT_FOUND)
        /// The scope's group does not exist in the directory.
        package static let groupNotFound = Code(.GROUP_NOT_FOUND)
        /// The scope's group is not a mail-enabled security group; the message names its kind.
        package static let groupNotAllowed = Code(.GROUP_NOT_ALLOWED)
        /// The run would remove more contacts than the tenant's deletion threshold (or every contact).
        package static let removalsNeedAcknowledgement = Code(.REMOVALS_NEED_ACKNOWLEDGEMENT)
        /// A change of scope to a group would remove contacts of people outside it.
        package static let scopeChangeNeedsAcknowledgement = Code(.SCOPE_CHANGE_NEEDS_ACKNOWLEDGEMENT)
        /// The directory refused the credentials.
        package static let credentialsInvalid = Code(.CREDENTIALS_INVALID)
        /// The application lacks the Graph permissions Roster needs (consent missing or revoked).
        package static let consentRevoked = Code(.CONSENT_REVOKED)
        /// The directory kept throttling past the retry budget.
        package static let throttled = Code(.THROTTLED)
        /// The directory or the network failed in a way that may pass; try again later.
        package static let directoryUnavailable = Code(.DIRECTORY_UNAVAILABLE)
        /// The directory failed in a way retrying will not fix.
        package static let directoryError = Code(.DIRECTORY_ERROR)
        /// The contact store failed.
        package static let storeError = Code(.STORE_ERROR)
        /// The directory's answers went past a bound of this server (pages, users or time per
        /// run, or a next-page link that loops); nothing was applied.
        package static let directoryLimitExceeded = Code(.DIRECTORY_LIMIT_EXCEEDED)
        /// The job was cancelled before its apply step; nothing was changed.
        package static let cancelled = Code(.CANCELLED)
        /// The server stopped during the run; nothing of it was applied.
        package static let interrupted = Code(.INTERRUPTED)
        /// The server is shutting down and starts no more jobs.
        package static let shuttingDown = Code(.SHUTTING_DOWN)

        /// The stable text of the code, e.g. `REMOVALS_NEED_ACKNOWLEDGEMENT`.
        package var description: String { value.rawValue }
    }

    /// The kind of failure.
    package var code: Code
    /// What went wrong and what to do next.
    package var message: String
    /// For the two acknowledgement codes: how many contacts the run would remove.
    package var removalCount: Int?

    /// An error of `code` with an operator-facing `message`.
    package init(_ code: Code, _ message: String, removalCount: Int? = nil) {
        self.code = code
        self.message = message
        self.removalCount = removalCount
    }

    package var description: String { "\(code): \(message)" }
}

extension SyncError {
    /// A store failure, with the store's own message.
    package init(_ error: StoreError) {
        self.init(.storeError, "the contact store failed: \(error.message)")
    }

    /// A directory failure mapped to the code the caller decides on; the directory's code and
    /// request-id stay in the message for support.
    package init(_ error: DirectoryError) {
        let code: Code =
            switch error.code {
            case .authFailed: .credentialsInvalid
            case .consentMissing: .consentRevoked
            case .throttled: .throttled
            case .notFound: .groupNotFound
            case .transient: .directoryUnavailable
            case .limitExceeded: .directoryLimitExceeded
            default: .directoryError
            }
        self.init(code, "the directory failed: \(error)")
    }
}
