/// A value that does not fit its schema, in either direction: where (the field path, e.g.
/// `scope.kind` or `businessPhones[2]`) and what is wrong.
public struct TranscodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field path from the top message; empty for the message itself.
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
