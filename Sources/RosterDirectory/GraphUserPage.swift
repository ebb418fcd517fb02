import NIOCore

/// A page of users as Graph sends it (`/users`, `transitiveMembers/microsoft.graph.user`,
/// `/users/delta`), read by ``GraphJSONReader``: the users, the `@removed` entries of a delta page,
/// and the paging links. `FileDirectory` reads its export's `users` array the same way, so both
/// sources share one user decoder: a property that is null or absent reads as `nil`
/// (`businessPhones` as `[]`), and unknown properties are skipped.
struct GraphUserPage {
    var users: [DirectoryUser] = []
    var removed: [DeltaPage.Removal] = []
    /// Users whose entry left out some contact properties, with the properties it carried.
    var partial: [String: DirectoryUser.Properties] = [:]
    var nextLink: String?
    var deltaLink: String?
    var count: Int?
    /// The additional user properties to read into `DirectoryUser.attributes` (canonical names,
    /// matched without case as Graph matches property names); other unknown properties are skipped.
    var attributes: [String] = []

    /// Reads a page body, with the additional user properties `attributes`.
    static func read(_ body: ByteBuffer, attributes: [String] = []) throws(GraphJSONReader.Failure) -> GraphUserPage {
        do {
            return try body.withUnsafeReadableBytes { bytes in
                var reader = GraphJSONReader(bytes)
                var page = GraphUserPage(attributes: attributes)
                try reader.readObject { reader, name in
                    if GraphJSONReader.matches(name, "value") {
                        try reader.readArray { reader in try page.readEntry(&reader) }
                    } else if GraphJSONReader.matches(name, "@odata.nextLink") {
                        page.nextLink = try reader.readOptionalString()
                    } else if GraphJSONReader.matches(name, "@odata.deltaLink") {
                        page.deltaLink = try reader.readOptionalString()
                    } else if GraphJSONReader.matches(name, "@odata.count") {
                        page.count = try reader.readOptionalInt()
                    } else {
                        try reader.skipValue()
                    }
                }
                try reader.expectEnd()
                return page
            }
        } catch let failure as GraphJSONReader.Failure {
            throw failure
        } catch {
            throw GraphJSONReader.Failure(offset: 0, reason: "\(error)")
        }
    }

    /// Reads one user object (`GET /users/{id}`): every property it carries.
    static func readUser(_ body: ByteBuffer, attributes: [String] = []) throws -> DirectoryUser {
        try body.withUnsafeReadableBytes { bytes in
            var reader = GraphJSONReader(bytes)
            var page = GraphUserPage(attributes: attributes)
            try page.readEntry(&reader)
            try reader.expectEnd()
            guard let user = page.users.first else { throw reader.failure("a removal where a user was expected") }
            return user
        }
    }

    /// A page's paging links.
    struct Links {
        var nextLink: String?
        var deltaLink: String?
    }

    /// Reads only the links of a page body. Graph writes `@odata.nextLink` before `value`, so this
    /// usually stops at `value`; otherwise it skims over the users without building them.
    static func links(_ body: ByteBuffer) throws -> Links {
        try body.withUnsafeReadableBytes { bytes in
            var reader = GraphJSONReader(bytes)
            var links = Links()
            try reader.readObject(until: { name in links.nextLink != nil && GraphJSONReader.matches(name, "value") }) {
                reader,
                name in
                if GraphJSONReader.matches(name, "@odata.nextLink") {
                    links.nextLink = try reader.readOptionalString()
                } else if GraphJSONReader.matches(name, "@odata.deltaLink") {
                    links.deltaLink = try reader.readOptionalString()
                } else {
                    try reader.skipValue()
                }
            }
            return links
        }
    }

    /// Reads the `users` array of a `FileDirectory` export (other properties skipped).
    static func readExportUsers(_ bytes: UnsafeRawBufferPointer, attributes: [String] = []) throws -> [DirectoryUser] {
        var reader = GraphJSONReader(bytes)
        var page = GraphUserPage(attributes: attributes)
        try reader.readObject { reader, name in
            if GraphJSONReader.matches(name, "users") {
                try reader.readArray { reader in try page.readEntry(&reader) }
            } else {
                try reader.skipValue()
            }
        }
        try reader.expectEnd()
        return page.users
    }

    /// One entry: a user, or `{"id", "@removed": {"reason"}}`.
    private mutating func readEntry(_ reader: inout GraphJSONReader) throws {
        var user = DirectoryUser(id: "")
        var hasID = false
        var removedReason: String?
        var reported = DirectoryUser.Properties()
        try reader.readObject { reader, name in
            if GraphJSONReader.matches(name, "@removed") {
                removedReason = "deleted"
                try reader.readObject { reader, name in
                    if GraphJSONReader.matches(name, "reason"), let reason = try reader.readOptionalString() {
                        removedReason = reason
                    } else {
                        try reader.skipValue()
                    }
                }
            } else if GraphJSONReader.matches(name, "id") {
                user.id = try reader.readString()
                hasID = true
            } else {
                let property = try Self.readProperty(name, of: &user, &reader)
                if property.isEmpty { try Self.readAttribute(name, of: &user, &reader, attributes: attributes) }
                reported.formUnion(property)
            }
        }
        guard hasID else { throw reader.failure("a user without an id") }
        if let removedReason {
            removed.append(.init(id: user.id, reason: removedReason))
        } else {
            users.append(user)
            if !reported.isSuperset(of: .contactFields) || user.reportedAttributes.count < attributes.count {
                partial[user.id] = reported
            }
        }
    }

    /// Reads one contact property into `user`; returns which property it was (empty, and nothing
    /// read, for any other name).
    private static func readProperty(
        _ name: UnsafeRawBufferPointer,
        of user: inout DirectoryUser,
        _ reader: inout GraphJSONReader
    ) throws -> DirectoryUser.Properties {
        func matches(_ property: StaticString) -> Bool { GraphJSONReader.matches(name, property) }
        var property = DirectoryUser.Properties()
        if matches("userPrincipalName") {
            property = .userPrincipalName
            user.userPrincipalName = try reader.readOptionalString()
        } else if matches("mail") {
            property = .mail
            user.mail = try reader.readOptionalString()
        } else if matches("displayName") {
            property = .displayName
            user.displayName = try reader.readOptionalString()
        } else if matches("givenName") {
            property = .givenName
            user.givenName = try reader.readOptionalString()
        } else if matches("surname") {
            property = .surname
            user.surname = try reader.readOptionalString()
        } else if matches("jobTitle") {
            property = .jobTitle
            user.jobTitle = try reader.readOptionalString()
        } else if matches("department") {
            property = .department
            user.department = try reader.readOptionalString()
        } else if matches("companyName") {
            property = .companyName
            user.companyName = try reader.readOptionalString()
        } else if matches("officeLocation") {
            property = .officeLocation
            user.officeLocation = try reader.readOptionalString()
        } else if matches("businessPhones") {
            property = .businessPhones
            if try !reader.readNull() {
                try reader.readArray { reader in
                    if let phone = try reader.readOptionalString() { user.businessPhones.append(phone) }
                }
            }
        } else if matches("mobilePhone") {
            property = .mobilePhone
            user.mobilePhone = try reader.readOptionalString()
        } else if matches("faxNumber") {
            property = .faxNumber
            user.faxNumber = try reader.readOptionalString()
        } else if matches("streetAddress") {
            property = .streetAddress
            user.streetAddress = try reader.readOptionalString()
        } else if matches("city") {
            property = .city
            user.city = try reader.readOptionalString()
        } else if matches("state") {
            property = .state
            user.state = try reader.readOptionalString()
        } else if matches("postalCode") {
            property = .postalCode
            user.postalCode = try reader.readOptionalString()
        } else if matches("country") {
            property = .country
            user.country = try reader.readOptionalString()
        } else if matches("onPremisesExtensionAttributes") {
            property = .extensionAttributes
            if try !reader.readNull() {
                try reader.readObject { reader, name in
                    if let slot = extensionSlot(name) {
                        user.extensionAttributes[slot] = try reader.readOptionalString()
                    } else {
                        try reader.skipValue()
                    }
                }
            }
        } else if matches("accountEnabled") {
            property = .accountEnabled
            user.accountEnabled = try reader.readOptionalBool()
        } else if matches("userType") {
            property = .userType
            user.userType = try reader.readOptionalString()
        }
        return property
    }

    /// Reads the value of `name` into `user.attributes` when it is one of `attributes` (compared
    /// without ASCII case); skips it otherwise.
    private static func readAttribute(
        _ name: UnsafeRawBufferPointer,
        of user: inout DirectoryUser,
        _ reader: inout GraphJSONReader,
        attributes: [String]
    ) throws {
        guard let attribute = attributes.first(where: { Self.equalIgnoringCase(name, $0) }) else {
            try reader.skipValue()
            return
        }
        user.reportedAttributes.insert(attribute)
        user.attributes[attribute] = try reader.readAttributeText()
    }

    private static func equalIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ name: String) -> Bool {
        guard bytes.count == name.utf8.count else { return false }
        for (byte, other) in zip(bytes, name.utf8) where byte != other {
            guard (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20), byte | 0x20 == other | 0x20 else {
                return false
            }
        }
        return true
    }

    /// 1…15 for `extensionAttribute1` … `extensionAttribute15`.
    private static func extensionSlot(_ name: UnsafeRawBufferPointer) -> Int? {
        let prefix: StaticString = "extensionAttribute"
        let length = prefix.utf8CodeUnitCount
        guard name.count == length + 1 || name.count == length + 2,
            GraphJSONReader.matches(UnsafeRawBufferPointer(rebasing: name[..<length]), prefix)
        else { return nil }
        var slot = 0
        for digit in name[length...] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            slot = slot * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return (1...15).contains(slot) ? slot : nil
    }
}
