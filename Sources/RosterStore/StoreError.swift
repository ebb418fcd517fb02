/// An error from the contact store: what went wrong and what to do next.
///
/// `code` lets callers branch; `message` is written for the operator who reads the log.
package struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure. A struct over a private enum so that codes can be added later.
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case sqlite, database, migration, notFound, conflict, masterKey, crypto, invalidArgument, refused, expired
        }
        private let value: Value

        /// SQLite reported an error (the message carries SQLite's own text and result code).
        package static let sqlite = Code(value: .sqlite)
        /// A database server (PostgreSQL) reported an error or could not be reached; the message
        /// carries the server's SQLSTATE and text.
        package static let database = Code(value: .database)
        /// The database schema could not be brought to the current version.
        package static let migration = Code(value: .migration)
        /// The tenant, job, key or contact asked for does not exist.
        package static let notFound = Code(value: .notFound)
        /// The write conflicts with what is stored (e.g. a second active job for a tenant).
        package static let conflict = Code(value: .conflict)
        /// The master key file is missing, unreadable, malformed or too widely readable.
        package static let masterKey = Code(value: .masterKey)
        /// Encryption or decryption failed (wrong key, damaged ciphertext, OpenSSL failure).
        package static let crypto = Code(value: .crypto)
        /// The caller passed a value the store cannot accept.
        package static let invalidArgument = Code(value: .invalidArgument)
        /// An apply broke its ``ApplyLimits`` and was rolled back (internal to the apply).
        package static let refused = Code(value: .refused)
        /// A change-feed cursor older than the retained history, or ahead of the tenant's newest change.
        package static let expired = Code(value: .expired)

        package var description: String { value.rawValue }
    }

    /// The kind of failure.
    package var code: Code
    /// What went wrong and what to do next.
    package var message: String

    /// Creates an error of `code` with an operator-facing `message`.
    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { "store error (\(code)): \(message)" }
}
