import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Graph's error body, `{"error": {"code", "message", "innerError": {"request-id"}}}`, and the token
/// endpoint's, `{"error": "invalid_client", "error_description": "AADSTS7000215: …", "error_codes": [7000215]}`.
enum GraphErrorBody {
    private struct GraphShape: Decodable {
        struct Inner: Decodable {
            var code: String?
            var message: String?
            var innerError: InnerError?
        }

        struct InnerError: Decodable {
            var requestID: String?

            enum CodingKeys: String, CodingKey {
                case requestID = "request-id"
            }
        }

        var error: Inner
    }

    private struct TokenShape: Decodable {
        var error: String
        var errorDescription: String?
        var errorCodes: [Int]?

        enum CodingKeys: String, CodingKey {
            case error
            case errorDescription = "error_description"
            case errorCodes = "error_codes"
        }
    }

    /// Graph's `error.code`, when the body has one.
    static func code(_ response: GraphTransport.Response) -> String? {
        graph(response)?.code
    }

    /// Graph's `error.message`, cut to 300 characters (it is the directory's text, shown as a hint).
    static func message(_ response: GraphTransport.Response) -> String? {
        graph(response)?.message.map { String($0.prefix(300)) }
    }

    /// The `request-id` header, else `error.innerError.request-id`.
    static func requestID(_ response: GraphTransport.Response) -> String? {
        response.headers.first(name: "request-id") ?? graph(response)?.innerError?.requestID
    }

    /// The token endpoint's error: its `AADSTS` code (`AADSTS7000215`) or `error` string, and its
    /// description's first line.
    static func tokenError(_ response: GraphTransport.Response) -> (code: String?, description: String?) {
        guard let body = try? JSONDecoder().decode(TokenShape.self, from: response.body) else { return (nil, nil) }
        let code = body.errorCodes?.first.map { "AADSTS\($0)" } ?? body.error
        let firstLine =
            body.errorDescription?.split(separator: "\r\n").first
            ?? body.errorDescription?.split(separator: "\n").first
        return (code, firstLine.map { "\(body.error): \($0.prefix(300))" } ?? body.error)
    }

    private static func graph(_ response: GraphTransport.Response) -> GraphShape.Inner? {
        try? JSONDecoder().decode(GraphShape.self, from: response.body).error
    }
}
