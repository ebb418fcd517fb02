import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Client-credentials tokens for one app registration, cached and renewed before they expire.
///
/// Concurrent callers share one token request. The token is never logged or put in an error.
actor GraphTokenProvider {
    /// An access token and what it grants.
    struct Token: Sendable {
        var value: String
        var expiresAt: ContinuousClock.Instant
        /// The JWT's `roles` claim: the application permissions granted to the app.
        var roles: Set<String>
    }

    private let transport: GraphTransport
    private var cached: Token?
    private var inFlight: Task<Result<Token, DirectoryError>, Never>?

    init(transport: GraphTransport) {
        self.transport = transport
    }

    /// A token valid for at least `tokenRenewalMargin`, fetched if the cached one is not.
    /// `renew` drops the cached token first (after Graph answered `InvalidAuthenticationToken`).
    func token(renew: Bool = false) async throws(DirectoryError) -> Token {
        if renew { cached = nil }
        let margin = transport.configuration.tokenRenewalMargin
        if let cached, ContinuousClock.now.advanced(by: margin) < cached.expiresAt {
            return cached
        }
        let task: Task<Result<Token, DirectoryError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            let transport = self.transport
            task = Task { await Self.fetch(transport) }
            inFlight = task
        }
        let result = await task.value
        if inFlight == task { inFlight = nil }
        let token = try result.get()
        cached = token
        return token
    }

    // MARK: - The token request

    private static func fetch(_ transport: GraphTransport) async -> Result<Token, DirectoryError> {
        do throws(DirectoryError) {
            return .success(try await request(transport))
        } catch {
            return .failure(error)
        }
    }

    private static func request(_ transport: GraphTransport) async throws(DirectoryError) -> Token {
        let configuration = transport.configuration
        let url = "\(configuration.authority)/\(percentEncode(configuration.directoryTenantID))/oauth2/v2.0/token"
        var credential = [("client_secret", configuration.clientSecret.value)]
        if let signer = configuration.clientAssertionSigner {
            do {
                let assertion = try ClientAssertion.make(
                    clientID: configuration.clientID,
                    tokenEndpoint: url,
                    signer: signer
                )
                credential = [
                    ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                    ("client_assertion", assertion),
                ]
            } catch {
                throw DirectoryError(.permanent, "cannot sign the client assertion: \(error)")
            }
        }
        let form =
            ([("client_id", configuration.clientID)] + credential + [
                ("scope", configuration.effectiveTokenScope),
                ("grant_type", "client_credentials"),
            ]).map { "\($0)=\(percentEncode($1))" }.joined(separator: "&")
        let started = ContinuousClock.now
        let response = try await transport.send(what: "POST token endpoint") { () throws(DirectoryError) in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.headers.add(name: "Accept", value: "application/json")
            request.body = .bytes(ByteBuffer(string: form))
            return request
        }
        guard response.status == 200 else {
            let (code, description) = GraphErrorBody.tokenError(response)
            if code == "AADSTS500011" || description?.hasPrefix("invalid_resource") == true {
                // The scope names no resource this sign-in service knows: the credentials are fine.
                throw DirectoryError(
                    .permanent,
                    "the token endpoint does not know the resource of the scope \(configuration.effectiveTokenScope) "
                        + "(\(description ?? "invalid_resource")); set token_scope to the scope of the Graph this "
                        + "endpoint serves, e.g. https://graph.microsoft.com/.default",
                    directoryCode: code,
                    requestID: response.headers.first(name: "x-ms-request-id"),
                    httpStatus: response.status
                )
            }
            if let code,
                Self.consentCodes.contains(code)
                    || configuration.isMultiTenantApplication && code == "AADSTS700016"
            {
                throw DirectoryError(
                    .consentMissing,
                    "the directory has not authorized the application (\(description ?? code)); a Global "
                        + "Administrator of the directory must grant it admin consent, then connect again",
                    directoryCode: code,
                    requestID: response.headers.first(name: "x-ms-request-id"),
                    httpStatus: response.status
                )
            }
            let what = (400..<500).contains(response.status) ? DirectoryError.Code.authFailed : .permanent
            throw DirectoryError(
                what,
                "the token endpoint refused the credentials (\(description ?? "HTTP \(response.status)")); "
                    + (configuration.clientAssertionSigner == nil
                        ? "check the directory tenant id, the client id and the client secret (it may have expired: "
                            + "create a new one under App registrations → Certificates & secrets)"
                        : "check the directory tenant id, the client id, and that the application's certificate "
                            + "(rosterd app-certificate create prints it) is uploaded under Certificates & secrets "
                            + "and not expired, and this host's clock"),
                directoryCode: code,
                requestID: response.headers.first(name: "x-ms-request-id"),
                httpStatus: response.status
            )
        }
        guard let body = tokenReply(response.body) else {
            throw DirectoryError(.permanent, "the token endpoint answered 200 without a usable access token")
        }
        return Token(
            value: body.accessToken,
            expiresAt: started.advanced(by: .seconds(body.expiresIn)),
            roles: roles(of: body.accessToken)
        )
    }

    /// The token and its lifetime from a token endpoint's 200 body; nil when it has none.
    /// Token-endpoint errors that mean consent is missing: consent required (AADSTS65001), no
    /// service principal of the application in the tenant (AADSTS7000229), admin consent required
    /// (AADSTS90094).
    static let consentCodes: Set<String> = ["AADSTS65001", "AADSTS7000229", "AADSTS90094"]

    static func tokenReply(_ body: ByteBuffer) -> (accessToken: String, expiresIn: Int)? {
        struct Body: Decodable {
            var access_token: String
            var expires_in: Int
        }
        guard let decoded = try? JSONDecoder().decode(Body.self, from: body) else { return nil }
        return (decoded.access_token, decoded.expires_in)
    }

    /// The `roles` claim of a JWT (the payload is base64url JSON). The signature is not checked:
    /// Graph checks it; the claim only tells which permissions to expect.
    static func roles(of jwt: String) -> Set<String> {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return [] }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        struct Claims: Decodable { var roles: [String]? }
        guard let data = Data(base64Encoded: base64),
            let claims = try? JSONDecoder().decode(Claims.self, from: data)
        else { return [] }
        return Set(claims.roles ?? [])
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )

    /// `application/x-www-form-urlencoded` and path-segment escaping: everything but unreserved characters.
    static func percentEncode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
