/// A store's rows as stored, for moving them to another engine (`rosterd migrate-store`): what
/// the records of the `Store` protocol leave out travels with them (sealed secrets, key hashes,
/// per-group refresh times, a tenant's contacts generation), and contacts keep their columns' text
/// exactly. Contacts are read apart, page by page (``ExportedContact``); everything else is here,
/// read in one snapshot.
package struct StoreExport: Sendable {
    /// Every tenant, by id.
    package var tenants: [ExportedTenant]
    /// Every API key, revoked ones included.
    package var apiKeys: [ExportedAPIKey]
    /// Every cached group of every tenant.
    package var groups: [ExportedGroup]
    /// Every sync job, active ones included as they are stored.
    package var jobs: [SyncJobRecord]

    /// An export of these rows.
    package init(
        tenants: [ExportedTenant],
        apiKeys: [ExportedAPIKey],
        groups: [ExportedGroup],
        jobs: [SyncJobRecord]
    ) {
        self.tenants = tenants
        self.apiKeys = apiKeys
        self.groups = groups
        self.jobs = jobs
    }
}

/// A tenant's row: its record, its client secret still sealed with the master key, and its
/// contacts generation.
package struct ExportedTenant: Sendable, Hashable {
    /// Every field the store reads into a tenant record.
    package var record: TenantRecord
    /// The client secret as stored: sealed under the master key with the tenant id as associated
    /// data (``SecretBox``), never opened on the way; nil when none is stored.
    package var sealedClientSecret: [UInt8]?
    /// The number every apply that changes the tenant's contacts bumps.
    package var contactsGeneration: Int64

    /// A tenant row of these values.
    package init(record: TenantRecord, sealedClientSecret: [UInt8]?, contactsGeneration: Int64) {
        self.record = record
        self.sealedClientSecret = sealedClientSecret
        self.contactsGeneration = contactsGeneration
    }
}

/// An API key's row: its record and the SHA-256 of its token, so the token works after the move.
package struct ExportedAPIKey: Sendable, Hashable {
    /// Every field of the key but its hash.
    package var record: APIKeyRecord
    /// SHA-256 of the token (the token itself is never stored).
    package var hash: [UInt8]

    /// A key row of these values.
    package init(record: APIKeyRecord, hash: [UInt8]) {
        self.record = record
        self.hash = hash
    }
}

/// A cached group's row: the group, whose tenant it is and when that tenant's cache was refreshed.
/// Its folded search keys are derived from the name and mail, and made again where it lands.
package struct ExportedGroup: Sendable, Hashable {
    /// The tenant whose directory holds the group.
    package var tenantID: String
    /// The group.
    package var record: GroupRecord
    /// When the group cache holding it was written (Unix ms).
    package var refreshedAt: Int64

    /// A group row of these values.
    package init(tenantID: String, record: GroupRecord, refreshedAt: Int64) {
        self.tenantID = tenantID
        self.record = record
        self.refreshedAt = refreshedAt
    }
}

/// A contact's photo as stored, with the contact it belongs to.
package struct ExportedPhoto: Sendable, Hashable {
    /// The contact's directory id.
    package var contactID: String
    /// The photo.
    package var photo: ContactPhoto

    /// A photo row of these values.
    package init(contactID: String, photo: ContactPhoto) {
        self.contactID = contactID
        self.photo = photo
    }
}

/// A contact's row with its columns' text exactly as stored (businessPhones as its stored JSON
/// text, not decoded and encoded again), so a move keeps every value byte for byte.
package struct ExportedContact: Sendable, Hashable {
    /// The contact's directory id.
    package var id: String
    /// The field columns' values in ``ContactColumns/fields`` order (nil for NULL).
    package var values: [String?]
    /// When the store last wrote a change to it (Unix ms).
    package var changedAt: Int64

    /// A contact row of these values.
    package init(id: String, values: [String?], changedAt: Int64) {
        self.id = id
        self.values = values
        self.changedAt = changedAt
    }
}
