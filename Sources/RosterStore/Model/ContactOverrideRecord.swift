/// A local override of one contact field, set by an admin or editor (docs/product.md, "Local
/// overrides"): the value reads replace the directory's with, or hidden (it reads as empty). Syncs
/// never touch it; it goes when its contact leaves the store.
package struct ContactOverrideRecord: Sendable, Hashable {
    /// The contact's directory id.
    package var contactID: String
    /// The field it replaces.
    package var field: ContactField
    /// The value reads show (override text: see ``ContactField``); nil: hidden, the field reads as empty.
    package var value: String?
    /// The id of the API key that set it.
    package var setByKeyID: String
    /// That key's label.
    package var setByLabel: String
    /// When it was set (Unix ms).
    package var setAt: Int64

    /// An override of `field` of contact `contactID`; `value` nil hides the field.
    package init(
        contactID: String,
        field: ContactField,
        value: String?,
        setByKeyID: String,
        setByLabel: String,
        setAt: Int64
    ) {
        self.contactID = contactID
        self.field = field
        self.value = value
        self.setByKeyID = setByKeyID
        self.setByLabel = setByLabel
        self.setAt = setAt
    }

    /// Whether it hides the field rather than replacing its value.
    package var isHidden: Bool { value == nil }
}

/// A contact as the directory gave it, with its local overrides: ``effective`` is what reads show.
///
/// The one place overrides are applied: every read of a contact that a caller sees (GetContact,
/// ListContacts, its search index, the answers of SetContactOverride and ClearContactOverride)
/// goes through ``effective``.
package struct OverriddenContact: Sendable, Hashable {
    /// The contact as the last sync stored it.
    package var directory: ContactRecord
    /// Its overrides, by field name (UTF-8 order).
    package var overrides: [ContactOverrideRecord]

    /// `directory` with `overrides` (any order; only those of `directory`'s id are kept).
    package init(directory: ContactRecord, overrides: [ContactOverrideRecord]) {
        self.directory = directory
        self.overrides = overrides.filter { $0.contactID == directory.id }.sorted {
            $0.field.name.utf8.lexicographicallyPrecedes($1.field.name.utf8)
        }
    }

    /// The contact as reads show it: each overridden field holds the override's value, or reads as
    /// empty when hidden.
    package var effective: ContactRecord {
        Self.effective(directory, overrides: overrides)
    }

    /// `contact` with `overrides` applied (those of other contacts are ignored).
    package static func effective(_ contact: ContactRecord, overrides: [ContactOverrideRecord]) -> ContactRecord {
        var effective = contact
        for override in overrides where override.contactID == contact.id {
            override.field.set(override.value, in: &effective)
        }
        return effective
    }
}
