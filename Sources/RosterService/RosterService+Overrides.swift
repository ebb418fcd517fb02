internal import Logging
internal import RosterRPC
internal import RosterStore
internal import RosterWire

// SetContactOverride, ClearContactOverride: an admin or editor replaces or hides one field of a
// contact locally; syncs keep the override, reads show it (docs/product.md, "Local overrides").
// Each change is an audit line (notice) naming the contact, the field and the key.
extension RosterService {
    func setContactOverride(_ request: SetContactOverrideRequest, caller: Caller) async throws(RPCError)
        -> SetContactOverrideResponse
    {
        try caller.require([.admin, .editor], to: "set contact overrides")
        let call = "SetContactOverride"
        let contactID = try OverrideRules.contactID(request.contactID, call: call)
        let value = try OverrideRules.value(request.override)
        let tenant = try await tenant(of: caller)
        let field = try OverrideRules.field(
            request.field,
            attributes: tenant.attributes,
            mustBeListed: true,
            call: call
        )
        let override = ContactOverrideRecord(
            contactID: contactID,
            field: field,
            value: value,
            setByKeyID: caller.keyID,
            setByLabel: caller.label,
            setAt: configuration.now()
        )
        let contact = try await overrideCall(contactID: contactID) { () async throws(StoreError) in
            try await store.setContactOverride(tenant: caller.tenantID, override)
        }
        contactIndexes.contactsChanged(tenant: caller.tenantID)
        audit(value == nil ? "contact field hidden" : "contact field overridden", contactID, field, caller)
        var response = SetContactOverrideResponse()
        response.contact = Contact(contact, includeDirectoryValues: true)
        return response
    }

    func clearContactOverride(_ request: ClearContactOverrideRequest, caller: Caller) async throws(RPCError)
        -> ClearContactOverrideResponse
    {
        try caller.require([.admin, .editor], to: "clear contact overrides")
        let call = "ClearContactOverride"
        let contactID = try OverrideRules.contactID(request.contactID, call: call)
        let tenant = try await tenant(of: caller)
        let field = try OverrideRules.field(
            request.field,
            attributes: tenant.attributes,
            mustBeListed: false,
            call: call
        )
        let (contact, removed) = try await overrideCall(contactID: contactID) { () async throws(StoreError) in
            try await store.clearContactOverride(tenant: caller.tenantID, contactID: contactID, field: field)
        }
        if removed {
            contactIndexes.contactsChanged(tenant: caller.tenantID)
            audit("contact field override cleared", contactID, field, caller)
        }
        var response = ClearContactOverrideResponse()
        response.contact = Contact(contact, includeDirectoryValues: true)
        return response
    }

    /// Runs an override's store call; a missing contact is NOT_FOUND saying so, as GetContact's is.
    private func overrideCall<T>(contactID: String, _ body: () async throws(StoreError) -> T) async throws(RPCError)
        -> T
    {
        do {
            return try await body()
        } catch  where error.code == .notFound {
            throw RPCError(
                .notFound,
                "no contact with id \(contactID); the contact may be outside the sync scope, or not synced yet"
            )
        } catch {
            throw RPCError(error)
        }
    }

    private func audit(_ message: Logger.Message, _ contactID: String, _ field: ContactField, _ caller: Caller) {
        logger.notice(
            message,
            metadata: [
                "tenant": "\(caller.tenantID)", "contact": "\(contactID)", "field": "\(field.name)",
                "by-key": "\(caller.keyID)",
            ]
        )
    }
}
