internal import Foundation
import Logging
import RosterDirectory
import RosterRPC
import RosterStore
import RosterWire

// ConnectDirectory: prove the credentials and permissions, then store them and fill the group cache.
extension RosterService {
    func connectDirectory(_ request: ConnectDirectoryRequest, caller: Caller) async throws(RPCError)
        -> ConnectDirectoryResponse
    {
        try caller.require([.admin], to: "connect the directory")
        let credentials = try Self.credentials(from: request, application: connector.application)
        if !credentials.isFileDirectory {
            do {
                try connector.checkEndpoints(credentials)
            } catch {
                throw RPCError(.invalidArgument, error.message)
            }
        }
        var tenant = try await tenant(of: caller)
        if let active = try await storeCall({ () async throws(StoreError) in
            try await store.activeJob(tenant: tenant.id)
        }) {
            throw RPCError(
                .failedPrecondition,
                "sync job \(active.id) is running; wait for it or cancel it (CancelSync), then connect again"
            )
        }
        let directory: any DirectorySource
        let granted: [String]
        do {
            directory = try connector.directory(credentials)
            granted = try await directory.verifyPermissions()
        } catch  where credentials.usesServerApplication && error.code == .consentMissing {
            // Not an error of the request: the directory's administrator has a step to take.
            return try await awaitConsent(credentials, caller: caller, directoryCode: error.directoryCode)
        } catch {
            logger.info(
                "directory connection refused",
                metadata: [
                    "tenant": "\(tenant.id)", "code": "\(error.code)", "directory-code": "\(error.directoryCode ?? "")",
                ]
            )
            throw Self.connectionStatus(error)
        }
        // The verification took network time: look again, and write onto the tenant as it is now
        // (a scheduled run may have started or saved fields meanwhile).
        if let active = try await storeCall({ () async throws(StoreError) in
            try await store.activeJob(tenant: caller.tenantID)
        }) {
            throw RPCError(
                .failedPrecondition,
                "sync job \(active.id) started while the connection was being verified; connect again once it has ended"
            )
        }
        tenant = try await self.tenant(of: caller)
        let sameDirectory =
            tenant.directoryTenantID == credentials.directoryTenantID && tenant.graphBaseURL == credentials.graphBaseURL
        Self.assign(credentials, to: &tenant)
        tenant.connectionState = .authorized
        tenant.connectionErrorCode = nil
        // Another directory's delta link means nothing here: the next all-users sync is full.
        if !sameDirectory { tenant.deltaLink = nil }
        try await save(tenant, secret: credentials.usesServerApplication ? "" : credentials.clientSecret.value)
        logger.info(
            "directory connected",
            metadata: ["tenant": "\(tenant.id)", "permissions": "\(granted.joined(separator: ","))"]
        )
        var response = ConnectDirectoryResponse()
        response.state = .authorized
        response.grantedPermissions = granted
        do {
            response.groupsCached = Int64(try await groups.refresh(tenant: tenant.id, directory: directory))
        } catch {
            // The connection is proven; the type-ahead fills at the next refresh.
            logger.warning(
                "group cache not filled at connect",
                metadata: ["tenant": "\(tenant.id)", "error": "\(error)"]
            )
        }
        return response
    }

    /// Records a tenant connected through the server's application whose consent is missing:
    /// CONSENT_REQUIRED, and the page where the directory's administrator grants it.
    private func awaitConsent(
        _ credentials: DirectoryConnector.Credentials,
        caller: Caller,
        directoryCode: String?
    ) async throws(RPCError) -> ConnectDirectoryResponse {
        var tenant = try await self.tenant(of: caller)
        if tenant.directoryTenantID != credentials.directoryTenantID { tenant.deltaLink = nil }
        Self.assign(credentials, to: &tenant)
        tenant.connectionState = .consentRequired
        tenant.connectionErrorCode = directoryCode
        try await save(tenant, secret: "")
        let url = adminConsentURL(tenant) ?? ""
        logger.info(
            "directory connection awaits admin consent",
            metadata: ["tenant": "\(tenant.id)", "directory-code": "\(directoryCode ?? "")", "consent-url": "\(url)"]
        )
        var response = ConnectDirectoryResponse()
        response.state = .consentRequired
        response.adminConsentURL = url
        return response
    }

    /// The admin-consent page of a tenant that connects through the server's application.
    func adminConsentURL(_ tenant: TenantRecord) -> String? {
        guard let application = connector.application, tenant.usesServerApplication,
            let directoryTenantID = tenant.directoryTenantID
        else { return nil }
        return application.adminConsentURL(authority: tenant.authorityURL, directoryTenantID: directoryTenantID)
    }

    /// The connection's endpoints and application on the tenant's record; the server's
    /// application is recorded as no client id (its credentials live in the server's configuration).
    private static func assign(_ credentials: DirectoryConnector.Credentials, to tenant: inout TenantRecord) {
        tenant.directoryTenantID = credentials.directoryTenantID
        tenant.clientID = credentials.usesServerApplication ? nil : credentials.clientID
        tenant.authorityURL = credentials.authorityURL
        tenant.graphBaseURL = credentials.graphBaseURL
        tenant.tokenScope = credentials.tokenScope
    }

    private func save(_ tenant: TenantRecord, secret: String) async throws(RPCError) {
        try await storeCall { () async throws(StoreError) in
            try await store.setClientSecret(secret, tenant: tenant.id)
            try await store.updateTenant(tenant)
        }
    }

    /// The request's credentials with default endpoints, or INVALID_ARGUMENT naming what is missing.
    /// An empty client id and secret mean the server's `application`, when it has one.
    static func credentials(
        from request: ConnectDirectoryRequest,
        application: DirectoryConnector.Application? = nil
    ) throws(RPCError) -> DirectoryConnector.Credentials {
        // "https://graph.microsoft.com/", "…/v1.0" and "…/v1.0/" all mean the host: paths are added.
        var graph = request.graphBaseURL.isEmpty ? DirectoryConnector.defaultGraphBaseURL : request.graphBaseURL
        while graph.hasSuffix("/") { graph.removeLast() }
        if graph.hasSuffix("/v1.0") { graph.removeLast("/v1.0".count) }
        var authority = request.authorityURL.isEmpty ? DirectoryConnector.defaultAuthorityURL : request.authorityURL
        while authority.hasSuffix("/") { authority.removeLast() }
        let isFile = graph == "demo:" || graph.hasPrefix("file:")
        let tokenScope = request.tokenScope.trimmingCharacters(in: .whitespaces)
        let serverApplication = request.clientID.isEmpty && request.clientSecret.isEmpty ? application : nil
        if !isFile {
            var missing: [String] = []
            if request.directoryTenantID.isEmpty { missing.append("directory_tenant_id") }
            if serverApplication == nil {
                if request.clientID.isEmpty { missing.append("client_id") }
                if request.clientSecret.isEmpty { missing.append("client_secret") }
            }
            if !missing.isEmpty {
                throw RPCError(
                    .invalidArgument,
                    "ConnectDirectory needs \(missing.joined(separator: ", ")): take them from the app registration "
                        + "in Entra ID (Overview, and Certificates & secrets)"
                )
            }
            if !tokenScope.isEmpty,
                !tokenScope.hasPrefix("https://") && !tokenScope.hasPrefix("api://") || tokenScope.count > 512
            {
                throw RPCError(
                    .invalidArgument,
                    "token_scope \(tokenScope) must be a resource URI ending in /.default, e.g. https://graph.microsoft.com/.default"
                )
            }
        }
        var credentials = DirectoryConnector.Credentials(
            directoryTenantID: request.directoryTenantID,
            clientID: request.clientID,
            clientSecret: .init(request.clientSecret),
            authorityURL: authority,
            graphBaseURL: graph,
            tokenScope: tokenScope.isEmpty ? nil : tokenScope
        )
        if let serverApplication, !isFile {
            credentials.clientID = serverApplication.clientID
            credentials.clientSecret = serverApplication.clientSecret
            credentials.usesServerApplication = true
        }
        return credentials
    }

    /// The status of a failed connection attempt: the directory's message, which says what to fix.
    private static func connectionStatus(_ error: DirectoryError) -> RPCError {
        let code: RPCError.Code =
            switch error.code {
            case .authFailed, .consentMissing: .failedPrecondition
            case .throttled, .transient: .unavailable
            default: .failedPrecondition
            }
        var metadata: [String: String] = [:]
        if let directoryCode = error.directoryCode { metadata["roster-directory-code"] = directoryCode }
        return RPCError(code, "the directory refused the connection: \(error)", metadata: metadata)
    }
}
