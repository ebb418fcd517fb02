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
        let credentials = try Self.credentials(from: request)
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
        tenant.directoryTenantID = credentials.directoryTenantID
        tenant.clientID = credentials.clientID
        tenant.authorityURL = credentials.authorityURL
        tenant.graphBaseURL = credentials.graphBaseURL
        tenant.tokenScope = credentials.tokenScope
        tenant.connectionState = .authorized
        tenant.connectionErrorCode = nil
        // Another directory's delta link means nothing here: the next all-users sync is full.
        if !sameDirectory { tenant.deltaLink = nil }
        let saved = tenant
        try await storeCall { () async throws(StoreError) in
            try await store.setClientSecret(credentials.clientSecret.value, tenant: saved.id)
            try await store.updateTenant(saved)
        }
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

    /// The request's credentials with default endpoints, or INVALID_ARGUMENT naming what is missing.
    static func credentials(from request: ConnectDirectoryRequest) throws(RPCError) -> DirectoryConnector.Credentials {
        // "https://graph.microsoft.com/", "…/v1.0" and "…/v1.0/" all mean the host: paths are added.
        var graph = request.graphBaseURL.isEmpty ? DirectoryConnector.defaultGraphBaseURL : request.graphBaseURL
        while graph.hasSuffix("/") { graph.removeLast() }
        if graph.hasSuffix("/v1.0") { graph.removeLast("/v1.0".count) }
        var authority = request.authorityURL.isEmpty ? DirectoryConnector.defaultAuthorityURL : request.authorityURL
        while authority.hasSuffix("/") { authority.removeLast() }
        let isFile = graph == "demo:" || graph.hasPrefix("file:")
        let tokenScope = request.tokenScope.trimmingCharacters(in: .whitespaces)
        if !isFile {
            var missing: [String] = []
            if request.directoryTenantID.isEmpty { missing.append("directory_tenant_id") }
            if request.clientID.isEmpty { missing.append("client_id") }
            if request.clientSecret.isEmpty { missing.append("client_secret") }
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
        return DirectoryConnector.Credentials(
            directoryTenantID: request.directoryTenantID,
            clientID: request.clientID,
            clientSecret: .init(request.clientSecret),
            authorityURL: authority,
            graphBaseURL: graph,
            tokenScope: tokenScope.isEmpty ? nil : tokenScope
        )
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
