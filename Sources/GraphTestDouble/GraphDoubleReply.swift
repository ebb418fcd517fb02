import Foundation
import NIOCore
import NIOHTTP1

/// The answer to one request: a response, or a dropped connection.
enum GraphDoubleReply {
    case respond(status: HTTPResponseStatus, headers: [(String, String)], body: ByteBuffer)
    case drop

    init(fault: GraphDouble.Fault) {
        func error(_ status: HTTPResponseStatus, _ code: String, retryAfter: Int?) -> GraphDoubleReply {
            let reply = GraphDoubleReply.graphError(status, code, "injected fault")
            guard case .respond(let status, var headers, let body) = reply else { return reply }
            if let retryAfter { headers.append(("Retry-After", String(retryAfter))) }
            return .respond(status: status, headers: headers, body: body)
        }
        switch fault {
        case .throttle(let retryAfter): self = error(.tooManyRequests, "TooManyRequests", retryAfter: retryAfter)
        case .throttleUntil(let seconds):
            let reply = GraphDoubleReply.graphError(.tooManyRequests, "TooManyRequests", "injected fault")
            guard case .respond(let status, var headers, let body) = reply else { self = reply; return }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            headers.append(("Retry-After", formatter.string(from: Date().addingTimeInterval(Double(seconds)))))
            self = .respond(status: status, headers: headers, body: body)
        case .serviceUnavailable(let retryAfter):
            self = error(.serviceUnavailable, "serviceNotAvailable", retryAfter: retryAfter)
        case .gatewayTimeout: self = error(.gatewayTimeout, "GatewayTimeout", retryAfter: nil)
        case .internalError: self = error(.internalServerError, "generalException", retryAfter: nil)
        case .dropConnection: self = .drop
        case .rawReply(let status, let contentType, let body):
            self = .respond(
                status: HTTPResponseStatus(statusCode: status),
                headers: [("Content-Type", contentType)],
                body: ByteBuffer(bytes: body)
            )
        case .rawBody(let status, let body):
            self = .respond(
                status: HTTPResponseStatus(statusCode: status),
                headers: [("Content-Type", "application/json")],
                body: ByteBuffer(string: body)
            )
        }
    }

    /// A JSON body with status 200.
    static func json(_ body: ByteBuffer, status: HTTPResponseStatus = .ok) -> GraphDoubleReply {
        .respond(status: status, headers: [("Content-Type", "application/json")], body: body)
    }

    /// Graph's error shape, with a request-id in the body and the header.
    static func graphError(_ status: HTTPResponseStatus, _ code: String, _ message: String) -> GraphDoubleReply {
        let requestID = "double-\(UInt32.random(in: 0...UInt32.max))"
        var body = ByteBuffer()
        let error: JSONObject = [
            "error": .object([
                "code": .string(code),
                "message": .string(message),
                "innerError": .object(["request-id": .string(requestID), "date": "2026-11-26T00:00:00"]),
            ])
        ]
        error.write(to: &body)
        return .respond(
            status: status,
            headers: [("Content-Type", "application/json"), ("request-id", requestID)],
            body: body
        )
    }
}
