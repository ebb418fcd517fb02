package import RosterStore

/// The type-ahead index of one tenant's mail-enabled security groups, held in memory so that each
/// keystroke is answered in microseconds.
///
/// Matching and ranking are those of ``Store/searchGroups(tenant:query:limit:)``: a case- and
/// accent-insensitive prefix of the whole name (rank 0), of a word of the name (rank 1) or of the
/// mail (rank 2); a group's best rank counts; ties go alphabetically by folded name, then id.
/// Keys are compared as UTF-8 bytes, as SQLite's binary collation does.
package struct GroupIndex: Sendable {
    /// One search key (a folded name, word or mail) and the group it leads to.
    private struct Key: Sendable {
        var bytes: [UInt8]
        /// The group's position in ``groups`` (alphabetical order).
        var ordinal: Int32
    }

    /// The mail-enabled security groups, alphabetically by folded name, then id.
    package let groups: [GroupRecord]
    /// When the index was filled from the directory (Unix ms); nil when never.
    package let refreshedAt: Int64?
    /// Folded names: entry i is the name of `groups[i]`.
    private let names: [Key]
    private let words: [Key]
    private let mails: [Key]

    /// An index of the mail-enabled security groups among `groups`.
    package init(groups: [GroupRecord], refreshedAt: Int64?) {
        let folded = groups.filter { $0.kind == .mailEnabledSecurity }
            .map { (group: $0, name: Array(SearchFolding.fold($0.displayName).utf8), id: Array($0.id.utf8)) }
            .sorted {
                $0.name == $1.name ? $0.id.lexicographicallyPrecedes($1.id) : $0.name.lexicographicallyPrecedes($1.name)
            }
        self.groups = folded.map(\.group)
        self.refreshedAt = refreshedAt
        self.names = folded.enumerated().map { Key(bytes: $1.name, ordinal: Int32($0)) }
        var words: [Key] = []
        var mails: [Key] = []
        for (ordinal, entry) in folded.enumerated() {
            for word in Set(SearchFolding.wordStarts(in: entry.group.displayName)) {
                words.append(Key(bytes: Array(word.utf8), ordinal: Int32(ordinal)))
            }
            if let mail = entry.group.mail {
                mails.append(Key(bytes: Array(SearchFolding.fold(mail).utf8), ordinal: Int32(ordinal)))
            }
        }
        self.words = words.sorted(by: Self.precedes)
        self.mails = mails.sorted(by: Self.precedes)
    }

    /// Up to `limit` groups matching `query`, best first; an empty query lists them alphabetically.
    package func search(_ query: String, limit: Int) -> [GroupRecord] {
        guard limit > 0 else { return [] }
        let prefix = Self.trimmed(Array(SearchFolding.fold(query).utf8))
        // Rank 0: the names range is already alphabetical.
        let byName = Self.range(of: prefix, in: names)
        var chosen = names[byName.prefix(limit)].map(\.ordinal)
        if chosen.count < limit {
            var best = BestOrdinals(capacity: limit - chosen.count)
            for key in words[Self.range(of: prefix, in: words)] where !byName.contains(Int(key.ordinal)) {
                best.offer(key.ordinal)
            }
            chosen += best.ordinals
        }
        if chosen.count < limit {
            let taken = Set(chosen)
            var best = BestOrdinals(capacity: limit - chosen.count)
            for key in mails[Self.range(of: prefix, in: mails)]
            where !taken.contains(key.ordinal) && !byName.contains(Int(key.ordinal)) {
                best.offer(key.ordinal)
            }
            chosen += best.ordinals
        }
        return chosen.map { groups[Int($0)] }
    }

    // MARK: - Private

    /// The smallest `capacity` distinct ordinals offered, ascending.
    private struct BestOrdinals {
        let capacity: Int
        private(set) var ordinals: [Int32] = []

        init(capacity: Int) {
            self.capacity = capacity
            ordinals.reserveCapacity(capacity + 1)
        }

        mutating func offer(_ ordinal: Int32) {
            if ordinals.count == capacity, let last = ordinals.last, ordinal >= last { return }
            // Binary search for the insertion point; skip duplicates (two words of one name).
            var low = 0
            var high = ordinals.count
            while low < high {
                let middle = (low + high) / 2
                if ordinals[middle] < ordinal { low = middle + 1 } else { high = middle }
            }
            if low < ordinals.count, ordinals[low] == ordinal { return }
            ordinals.insert(ordinal, at: low)
            if ordinals.count > capacity { ordinals.removeLast() }
        }
    }

    private static func precedes(_ left: Key, _ right: Key) -> Bool {
        left.bytes == right.bytes ? left.ordinal < right.ordinal : left.bytes.lexicographicallyPrecedes(right.bytes)
    }

    private static func range(of prefix: [UInt8], in keys: [Key]) -> Range<Int> {
        prefixRange(of: prefix, in: keys) { $0.bytes }
    }

    /// Without leading spaces: a query typed as " uk" still means "uk".
    private static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        Array(bytes.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
    }
}
