/// The health check's question (`roster.health.v1.HealthCheckRequest`).
public struct HealthCheckRequest: ProtoMessage {
    public static let protoMessageName = "roster.health.v1.HealthCheckRequest"

    /// "" for the whole server, or a service's full name, e.g. `roster.v1.Roster`.
    public var service = ""

    public init() {}

    public init(service: String) { self.service = service }

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, service)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: service = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// The health check's answer (`roster.health.v1.HealthCheckResponse`).
public struct HealthCheckResponse: ProtoMessage {
    public static let protoMessageName = "roster.health.v1.HealthCheckResponse"

    /// `roster.health.v1.HealthCheckResponse.ServingStatus`.
    public struct ServingStatus: ProtoEnum {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let unknown = Self(rawValue: 0)
        public static let serving = Self(rawValue: 1)
        public static let notServing = Self(rawValue: 2)
        /// Watch only: the service name is not known to this server.
        public static let serviceUnknown = Self(rawValue: 3)

        public static let protoNames: [Int32: String] = [
            0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN",
        ]
    }

    public var status = ServingStatus.unknown

    public init() {}

    public init(status: ServingStatus) { self.status = status }

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.enumValue(1, status)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: status = try r.enumValue(tag)
        default: try r.skip(tag)
        }
    }
}

/// The calls of `roster.health.v1.Health` (proto/health.proto), declared once.
public enum HealthMethods {
    /// The service's fully qualified name.
    public static let service = "roster.health.v1.Health"

    public static let check = UnaryMethod<HealthCheckRequest, HealthCheckResponse>(service: service, name: "Check")
    public static let watch = ServerStreamingMethod<HealthCheckRequest, HealthCheckResponse>(
        service: service,
        name: "Watch"
    )

    /// Both, in proto/health.proto's order.
    public static let all: [any RPCMethodDescriptor] = [check, watch]
}
