package import RosterStore

/// Deterministic, realistic-looking contacts for tests, the kill-test helper and the benchmark.
///
/// Ids look like Graph's object ids (GUIDs), so they arrive in no particular order, as in real
/// syncs. The same arguments always give the same contacts.
package enum SampleContacts {
    private static let givenNames = [
        "Zoë", "Ødegård", "Amélie", "José", "Łukasz", "Siobhán", "Björn", "Renée", "Anna", "Ma",
    ]
    private static let surnames = [
        "O'Brien", "Müller", "Nguyễn", "García", "Smith", "Đorđević", "李", "Ødegaard", "Dubois", "Kowalski",
    ]
    private static let departments = ["Sales", "Engineering", "Finance", "People", "Legal", nil]
    private static let cities = ["London", "Zürich", "København", "São Paulo", "Kraków", nil]

    /// The contact numbered `number` in `version` of the directory (versions differ in titles).
    package static func contact(_ number: Int, version: Int = 0) -> ContactRecord {
        var random = SplitMix(seed: UInt64(number))
        var contact = ContactRecord(id: guid(number))
        let given = givenNames[Int(random.next() % UInt64(givenNames.count))]
        let surname = surnames[Int(random.next() % UInt64(surnames.count))]
        contact.givenName = given
        contact.surname = surname
        contact.displayName = "\(given) \(surname)"
        contact.userPrincipalName = "user\(number)@contoso.example"
        contact.mail = number % 13 == 0 ? nil : "user\(number)@contoso.example"
        contact.jobTitle = version == 0 ? "Consultant \(number % 50)" : "Senior Consultant \(number % 50)"
        contact.department = departments[Int(random.next() % UInt64(departments.count))]
        contact.companyName = "Contoso"
        contact.officeLocation = "Building \(number % 9)"
        contact.businessPhones = number % 4 == 0 ? [] : ["+44 20 7946 \(String(format4: number % 10_000))"]
        contact.mobilePhone = number % 3 == 0 ? nil : "+44 7700 \(String(format4: number % 10_000))"
        contact.city = cities[Int(random.next() % UInt64(cities.count))]
        contact.country = "United Kingdom"
        contact.postalCode = "EC\(number % 4)A 1BB"
        contact.streetAddress = "\(number % 300) Example Street"
        contact.extensionAttributes[0] = "cost-centre-\(number % 17)"
        contact.extensionAttributes[14] = number % 5 == 0 ? "" : nil
        return contact
    }

    /// Contacts numbered `range`, every `updateEvery`-th one in version 1 (0: none).
    package static func contacts(_ range: Range<Int>, updateEvery: Int = 0) -> [ContactRecord] {
        range.map { contact($0, version: updateEvery > 0 && $0 % updateEvery == 0 ? 1 : 0) }
    }

    /// A GUID-shaped id derived from `number`.
    package static func guid(_ number: Int) -> String {
        var random = SplitMix(seed: UInt64(number) &+ 0x5EED)
        let high = random.next()
        let low = random.next()
        let hex = String(high, radix: 16).leftPadded(to: 16) + String(low, radix: 16).leftPadded(to: 16)
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}

/// A tiny deterministic random number generator (SplitMix64).
package struct SplitMix: RandomNumberGenerator {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    fileprivate init(format4 value: Int) {
        self = String(value).leftPadded(to: 4)
    }

    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
