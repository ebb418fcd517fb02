extension RPCClientConnection {
    /// A client connection's limits, keepalive and connect timeout.
    public struct Configuration: Sendable, Hashable {
        /// Frame, stream, window and queue limits of the connection.
        public var connection = RPCConnectionLimits.defaults
        /// Send a PING after this long without receiving any frame. Default 30 s; nil turns
        /// keepalive off.
        public var keepaliveInterval: Duration? = .seconds(30)
        /// Close the connection when a keepalive PING gets no answer within this time. Default 10 s.
        public var keepaliveTimeout = Duration.seconds(10)
        /// Time allowed for the TCP connect. Default 10 s.
        public var connectTimeout = Duration.seconds(10)

        /// The defaults above.
        public static var defaults: Self { Self() }

        /// A configuration with every setting given here or left at its default.
        public init(
            connection: RPCConnectionLimits = .defaults,
            keepaliveInterval: Duration? = .seconds(30),
            keepaliveTimeout: Duration = .seconds(10),
            connectTimeout: Duration = .seconds(10)
        ) {
            self.connection = connection
            self.keepaliveInterval = keepaliveInterval
            self.keepaliveTimeout = keepaliveTimeout
            self.connectTimeout = connectTimeout
        }
    }
}
