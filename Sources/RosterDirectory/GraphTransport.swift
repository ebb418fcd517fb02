import AsyncHTTPClient
import CoreMetrics
internal import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// Sends one request with Graph's retry rules: `Retry-After` honoured exactly on 429, 503 and 504,
/// exponential backoff with full jitter on other 5xx and network failures, at most
/// `maximumAttempts` tries, each under `requestTimeout`, the body collected up to
/// `maximumResponseBytes`. Any other status is returned for the caller to interpret.
struct GraphTransport: Sendable {
    let client: HTTPClient
    let configuration: GraphDirectory.Configuration

    /// A response, body collected.
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    /// How much of a response body is collected, and what a larger body fails with.
    struct BodyLimit: Sendable {
        /// The most bytes collected; a larger body is refused before more is buffered.
        var bytes: Int
        /// The kind of the error a larger body fails with.
        var code: DirectoryError.Code
        /// What to do about it, after "answered more than N bytes; ".
        var advice: String
    }

    /// The limit of every listing and lookup: ``GraphDirectory/Configuration/maximumResponseBytes``.
    var defaultLimit: BodyLimit {
        BodyLimit(
            bytes: configuration.maximumResponseBytes,
            code: .permanent,
            advice: "raise maximumResponseBytes or lower pageSize"
        )
    }

    /// Sends `build()` until it gets a status that retrying cannot change. `build` runs before every
    /// attempt, so it can attach a fresh token. `what` names the request in errors and logs
    /// ("GET /v1.0/users"); it never holds a token or a secret. The body is collected up to
    /// `limit` (default ``defaultLimit``).
    func send(
        what: String,
        limit: BodyLimit? = nil,
        build: () async throws(DirectoryError) -> HTTPClientRequest
    ) async throws(DirectoryError) -> Response {
        let limit = limit ?? defaultLimit
        var attempt = 0
        while true {
            attempt += 1
            let request = try await build()
            let response: Response
            do {
                response = try await exchange(request, maximumBytes: limit.bytes)
            } catch is NIOTooManyBytesError {
                count(.tooLarge)
                throw DirectoryError(limit.code, "\(what) answered more than \(limit.bytes) bytes; \(limit.advice)")
            } catch let error where Self.isCertificateRefusal(error) {
                count(.networkError)
                // Retrying cannot make a certificate trusted.
                throw DirectoryError(
                    .permanent,
                    "\(what) failed: the directory's TLS certificate was refused (\(error)); check the authority and "
                        + "Graph URLs, and that the host's certificate chains to a root this server trusts"
                )
            } catch {
                count(.networkError)
                if Task.isCancelled {
                    throw DirectoryError(.transient, "\(what) was cancelled")
                }
                guard attempt < configuration.maximumAttempts else {
                    throw DirectoryError(
                        .transient,
                        "\(what) failed \(attempt) times (last: \(Self.describe(error))); check the network "
                            + "path to the directory and try again"
                    )
                }
                let wait = backoff(attempt: attempt)
                configuration.logger.info(
                    "directory request failed; retrying",
                    metadata: ["request": "\(what)", "error": "\(Self.describe(error))", "wait": "\(wait)"]
                )
                try await pause(wait)
                continue
            }

            let throttling = [429, 503, 504].contains(response.status)
            count(GraphRequestOutcome(status: response.status))
            guard throttling || (500...599).contains(response.status) else { return response }
            let requestID = GraphErrorBody.requestID(response)
            guard attempt < configuration.maximumAttempts else {
                throw DirectoryError(
                    response.status == 429 ? .throttled : .transient,
                    "\(what) was answered \(response.status) \(attempt) times in a row; the directory is "
                        + (response.status == 429 ? "throttling this application" : "unavailable")
                        + ", try again later",
                    directoryCode: GraphErrorBody.code(response),
                    requestID: requestID,
                    httpStatus: response.status
                )
            }
            var wait = backoff(attempt: attempt)
            var fromRetryAfter = false
            if throttling, let retryAfter = Self.retryAfter(response.headers) {
                guard retryAfter <= configuration.maximumRetryAfter else {
                    throw DirectoryError(
                        .throttled,
                        "\(what) was throttled with Retry-After \(retryAfter), more than the "
                            + "\(configuration.maximumRetryAfter) this client waits; try again later",
                        directoryCode: GraphErrorBody.code(response),
                        requestID: requestID,
                        httpStatus: response.status
                    )
                }
                wait = retryAfter
                fromRetryAfter = true
            }
            if throttling {
                Timer(label: "roster_graph_throttle_wait_seconds", factory: configuration.metrics)
                    .recordMilliseconds(
                        wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000
                    )
                configuration.onThrottle(
                    GraphDirectory.ThrottleWait(
                        duration: wait,
                        status: response.status,
                        fromRetryAfter: fromRetryAfter,
                        attempt: attempt
                    )
                )
            }
            configuration.logger.info(
                "directory answered \(response.status); retrying",
                metadata: ["request": "\(what)", "request-id": "\(requestID ?? "-")", "wait": "\(wait)"]
            )
            try await pause(wait)
        }
    }

    // MARK: - Pieces

    private func count(_ outcome: GraphRequestOutcome) {
        Counter(
            label: "roster_graph_requests_total",
            dimensions: [("outcome", outcome.rawValue)],
            factory: configuration.metrics
        ).increment()
    }

    private func exchange(_ request: HTTPClientRequest, maximumBytes: Int) async throws -> Response {
        let response = try await client.execute(request, timeout: Self.timeAmount(configuration.requestTimeout))
        let body = try await response.body.collect(upTo: maximumBytes)
        return Response(status: Int(response.status.code), headers: response.headers, body: body)
    }

    private func pause(_ duration: Duration) async throws(DirectoryError) {
        do {
            try await configuration.sleep(duration)
        } catch {
            throw DirectoryError(.transient, "a wait before retrying was cancelled")
        }
    }

    /// Full jitter: uniformly random in `0...min(cap, base·2^(attempt-1))`.
    private func backoff(attempt: Int) -> Duration {
        let exponent = Double(1 << min(attempt - 1, 20))
        let ceiling = min(Self.seconds(configuration.backoffCap), Self.seconds(configuration.backoffBase) * exponent)
        return .milliseconds(Int64((Double.random(in: 0...ceiling) * 1000).rounded()))
    }

    /// `Retry-After` as delay-seconds or as an HTTP date (RFC 9110 §10.2.3; Graph and the
    /// services in front of it may send either). A date in the past means no wait.
    static func retryAfter(_ headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        guard let text = headers.first(name: "Retry-After")?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
            return nil
        }
        if let seconds = Int(text) { return seconds >= 0 ? .seconds(seconds) : nil }
        guard let date = httpDate(text) else { return nil }
        let milliseconds = max(0, (date.timeIntervalSince(now) * 1000).rounded(.up))
        return .milliseconds(Int64(milliseconds))
    }

    /// An HTTP date in its preferred form, "Sun, 06 Nov 1994 08:49:37 GMT" (IMF-fixdate).
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: text)
    }

    static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(Int64(seconds(duration) * 1e9))
    }

    /// A TLS handshake the client ended because of the server's certificate (untrusted, expired,
    /// or for another name).
    static func isCertificateRefusal(_ error: any Error) -> Bool {
        switch error {
        case NIOSSLError.handshakeFailed: true
        case is NIOSSLExtraError: true
        default: false
        }
    }

    /// An error in words, without anything the request carried.
    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: type(of: error))
    }
}
