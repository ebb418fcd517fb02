public import NIOCore
package import RosterTLS

/// What a handler knows about the call it serves.
public struct RPCServerContext: Sendable {
    /// The method path, e.g. "/roster.v1.Roster/StartSync".
    public var method: String
    /// The call's metadata (lower-case keys), e.g. "authorization".
    public var metadata: [String: String]
    /// When the call's deadline passes, if it has one.
    public var deadline: NIODeadline?
    /// The call's request id: the client's `x-request-id` metadata when it is valid, else one the
    /// server made up (``RPCRequestID``). Every line the server logs about the call carries it
    /// (`rpc.request_id`), and a call that fails returns it in its TRAILERS metadata.
    public var requestID: String
    /// The client's address.
    public var remoteAddress: SocketAddress?
    /// The TLS peer, with its certificate identity under mutual TLS; nil on plaintext.
    package var tlsPeer: TLSPeer?

    package init(
        method: String,
        metadata: [String: String],
        requestID: String,
        deadline: NIODeadline?,
        remoteAddress: SocketAddress?,
        tlsPeer: TLSPeer?
    ) {
        self.method = method
        self.metadata = metadata
        self.requestID = requestID
        self.deadline = deadline
        self.remoteAddress = remoteAddress
        self.tlsPeer = tlsPeer
    }
}
