package import RosterRPC
package import RosterStore
package import RosterWire

/// What SetContactOverride and ClearContactOverride accept (proto/PROTOCOL.md, "The Roster
/// service"): a contact id, a field that can be overridden, and a value or hidden. Each refusal is
/// INVALID_ARGUMENT naming the call and the field, and what to give instead.
package enum OverrideRules {
    /// The longest override value, in characters: longer than any directory field a signature shows.
    package static let maximumValueLength = 1_024
    /// The longest contact id or field name a request may hold, in characters (the longest a
    /// contact id can be is GetContact's bound; field names are far shorter).
    package static let maximumNameLength = 256

    /// The contact id of a request, refused when empty or too long.
    package static func contactID(_ id: String, call: String) throws(RPCError) -> String {
        if id.isEmpty {
            throw RPCError(
                .invalidArgument,
                "\(call)'s contact_id is empty; give the contact's id (`roster contact ADDRESS` shows it)"
            )
        }
        if id.count > maximumNameLength {
            throw RPCError(
                .invalidArgument,
                "\(call)'s contact_id is \(id.count) characters long; at most \(maximumNameLength) can name a contact"
            )
        }
        return id
    }

    /// The field `name` names. An additional user property must be one of `attributes` (the
    /// tenant's list, compared without case, answered in the list's spelling) when `mustBeListed`;
    /// a clear passes false, so an override outlives its property's removal from the list.
    package static func field(_ name: String, attributes: [String], mustBeListed: Bool, call: String)
        throws(RPCError) -> ContactField
    {
        if name.isEmpty {
            throw RPCError(
                .invalidArgument,
                "\(call)'s field is empty; name a contact field as proto/roster.proto does, e.g. job_title"
            )
        }
        if name.count > maximumNameLength {
            throw RPCError(
                .invalidArgument,
                "\(call)'s field is \(name.count) characters long; no contact field has a name that long"
            )
        }
        if name == "id" || name == "changed_unix_ms" || name == "overrides" {
            throw RPCError(
                .invalidArgument,
                "\(call)'s field \(name) cannot be overridden; the fields that can are: \(ContactField.namesForHelp)"
            )
        }
        guard let field = ContactField(name: name) else {
            throw RPCError(
                .invalidArgument,
                "\(call)'s field \"\(name)\" is not a contact field; use one of: \(ContactField.namesForHelp)"
            )
        }
        guard case .attribute(let property) = field else { return field }
        if let listed = attributes.first(where: { $0.lowercased() == property.lowercased() }) {
            return .attribute(listed)
        }
        guard !mustBeListed else {
            let list = attributes.isEmpty ? "it syncs none" : "it syncs \(attributes.joined(separator: ", "))"
            throw RPCError(
                .invalidArgument,
                "\(call)'s field \"\(name)\" names no additional user property of this tenant (\(list)); an admin "
                    + "adds one with UpdateSettings (`roster settings --add-attribute \(property)`)"
            )
        }
        return field
    }

    /// The stored value of a SetContactOverride: the text reads show, or nil to hide the field.
    package static func value(_ override: SetContactOverrideRequest.Override?) throws(RPCError) -> String? {
        let call = "SetContactOverride"
        switch override {
        case nil:
            throw RPCError(
                .invalidArgument,
                "\(call) needs value (what the field reads as) or hidden: true (the field reads as empty)"
            )
        case .hidden(false):
            throw RPCError(
                .invalidArgument,
                "\(call)'s hidden is false; set hidden: true to hide the field, give a value to replace it, or call "
                    + "ClearContactOverride to show the directory's value again"
            )
        case .hidden(true):
            return nil
        case .value(let value):
            if value.isEmpty {
                throw RPCError(
                    .invalidArgument,
                    "\(call)'s value is empty; to make the field read as empty set hidden: true "
                        + "(`roster override set CONTACT FIELD --hidden`)"
                )
            }
            if value.count > maximumValueLength {
                throw RPCError(
                    .invalidArgument,
                    "\(call)'s value is \(value.count) characters long; at most \(maximumValueLength) can be set: "
                        + "shorten it"
                )
            }
            return value
        }
    }
}
