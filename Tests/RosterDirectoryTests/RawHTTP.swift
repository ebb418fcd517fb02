import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One plain GET through AsyncHTTPClient, for tests that look at the double's raw answers.
enum RawHTTP {
    static func get(_ url: String, headers: [String: String]) async throws -> Data {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return Data(buffer: try await response.body.collect(upTo: 16 << 20))
    }

    /// A form POST (a token request); the status and the body.
    static func post(_ url: String, form: String) async throws -> (status: UInt, body: Data) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        return (response.status.code, Data(buffer: try await response.body.collect(upTo: 1 << 20)))
    }
}
