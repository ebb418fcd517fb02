package import RosterRPC
package import RosterStore
package import RosterSync

extension RPCError {
    /// The status for an engine error: its message, and a code a client can branch on.
    package init(_ error: SyncError) {
        let code: RPCError.Code =
            switch error.code {
            case .tenantNotFound, .jobNotFound, .groupNotFound: .notFound
            case .groupNotAllowed: .invalidArgument
            case .removalsNeedAcknowledgement, .scopeChangeNeedsAcknowledgement: .failedPrecondition
            case .credentialsInvalid, .consentRevoked: .failedPrecondition
            case .throttled, .directoryUnavailable, .shuttingDown: .unavailable
            case .cancelled: .cancelled
            case .interrupted: .aborted
            case .storeError: .internal
            default: .unknown
            }
        self.init(code, error.message, metadata: ["roster-error-code": error.code.description])
    }

    /// The status for a store failure on a read or a settings write.
    package init(_ error: StoreError) {
        let code: RPCError.Code =
            switch error.code {
            case .notFound: .notFound
            case .conflict: .aborted
            case .invalidArgument: .invalidArgument
            default: .internal
            }
        self.init(code, "the contact store failed: \(error.message)")
    }
}

/// Runs a store call and turns its failure into a status.
func storeCall<T>(_ body: () async throws(StoreError) -> T) async throws(RPCError) -> T {
    do {
        return try await body()
    } catch {
        throw RPCError(error)
    }
}
