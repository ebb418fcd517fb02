/// The positions of `keys`, sorted by their bytes, whose bytes start with `prefix`: in sorted
/// order they are contiguous, so two binary searches find them. Used by the group and contact
/// indexes.
func prefixRange<Key>(of prefix: [UInt8], in keys: [Key], bytes: (Key) -> [UInt8]) -> Range<Int> {
    var low = 0
    var high = keys.count
    while low < high {
        let middle = (low + high) / 2
        if bytes(keys[middle]).lexicographicallyPrecedes(prefix) { low = middle + 1 } else { high = middle }
    }
    var end = low
    var upper = keys.count
    while end < upper {
        let middle = (end + upper) / 2
        if bytes(keys[middle]).starts(with: prefix) { end = middle + 1 } else { upper = middle }
    }
    return low..<end
}
