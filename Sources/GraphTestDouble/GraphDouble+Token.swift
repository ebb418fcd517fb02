import Foundation
import NIOCore
import NIOHTTP1

// The token endpoint (`POST /{tenant}/oauth2/v2.0/token`), routed from GraphDouble+Routes.swift.
extension GraphDouble.State {
    /// Answers the token endpoint as Entra ID does: a client-credentials grant with a secret or a
    /// signed client assertion, for the double's tenant, app and scope; Entra's errors otherwise.
    mutating func issueToken(tenant: String, form: [String: String]) -> GraphDoubleReply {
        func refuse(_ status: HTTPResponseStatus, _ error: String, _ code: Int, _ text: String) -> GraphDoubleReply {
            let body: JSONObject = [
                "error": .string(error),
                "error_description": .string("AADSTS\(code): \(text)\r\nTrace ID: double\r\nTimestamp: 2026-11-26"),
                "error_codes": .array([.int(code)]),
                "trace_id": "double", "correlation_id": "double",
            ]
            var buffer = ByteBuffer()
            body.write(to: &buffer)
            return .json(buffer, status: status)
        }
        guard tenant == configuration.tenantID else {
            return refuse(.badRequest, "invalid_request", 90002, "Tenant '\(tenant)' not found.")
        }
        guard form["grant_type"] == "client_credentials", form["scope"]?.hasSuffix("/.default") == true else {
            return refuse(.badRequest, "invalid_request", 900144, "The request body must contain grant_type and scope.")
        }
        let accepted = configuration.acceptedScope ?? baseURL + "/.default"
        if !configuration.acceptsAnyScope, form["scope"] != accepted {
            let resource = form["scope"].map { String($0.dropLast("/.default".count)) } ?? ""
            return refuse(
                .badRequest,
                "invalid_resource",
                500011,
                "The resource principal named \(resource) was not found in the tenant named \(tenant)."
            )
        }
        guard form["client_id"] == configuration.clientID, consented else {
            return refuse(
                .badRequest,
                "unauthorized_client",
                700016,
                "Application with identifier '\(form["client_id"] ?? "")' was not found in the directory '\(tenant)'. "
                    + "This can happen if the application has not been installed by the administrator of the tenant "
                    + "or consented to by any user in the tenant."
            )
        }
        if form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
            let audience = "\(baseURL)/\(tenant)/oauth2/v2.0/token"
            if let (code, text) = ClientAssertionCheck.refusal(
                form["client_assertion"] ?? "",
                clientID: configuration.clientID,
                audience: audience,
                certificatePEM: clientCertificatePEM,
                now: configuration.now()
            ) {
                return refuse(.unauthorized, "invalid_client", code, text)
            }
        } else if form["client_secret"] != configuration.clientSecret {
            return refuse(.unauthorized, "invalid_client", 7000215, "Invalid client secret provided.")
        }
        let header = Self.base64URL(#"{"alg":"none","typ":"JWT"}"#)
        var claims = ByteBuffer()
        let payload: JSONObject = [
            "aud": .string(form["scope"].map { String($0.dropLast("/.default".count)) } ?? ""),
            "tid": .string(tenant),
            "appid": .string(configuration.clientID),
            "roles": .array(roles.map { .string($0) }),
            "jti": .int(tokens.count + 1),
        ]
        payload.write(to: &claims)
        let token = header + "." + Self.base64URL(String(buffer: claims)) + ".double-signature"
        tokens[token] = IssuedToken(
            roles: Set(roles),
            expiresAt: configuration.now().addingTimeInterval(Double(configuration.tokenLifetime))
        )
        var body = ByteBuffer()
        let answer: JSONObject = [
            "token_type": "Bearer", "expires_in": .int(configuration.tokenLifetime),
            "ext_expires_in": .int(configuration.tokenLifetime), "access_token": .string(token),
        ]
        answer.write(to: &body)
        return .json(body)
    }
}
