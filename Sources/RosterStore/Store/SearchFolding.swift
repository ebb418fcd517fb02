internal import Foundation

/// Case- and accent-insensitive folding for search: "Zoë" → "zoe", "Ødegård" → "odegard".
///
/// Foundation's diacritic folding leaves letters that are not "a letter plus a mark" alone (ø, æ,
/// ß, ł, đ, œ, þ); those are mapped explicitly first, the way a person typing on a plain keyboard
/// would spell them. The same function folds stored names and typed queries, so they always agree.
package enum SearchFolding {
    private static let letters: [Character: String] = [
        "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ß": "ss", "ẞ": "ss", "ł": "l", "Ł": "l",
        "đ": "d", "Đ": "d", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ı": "i",
    ]

    /// `text` without case and diacritics.
    package static func fold(_ text: String) -> String {
        var mapped = ""
        mapped.reserveCapacity(text.utf8.count)
        for character in text {
            if let replacement = letters[character] {
                mapped += replacement
            } else {
                mapped.append(character)
            }
        }
        return mapped.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
    }

    /// The folded words of `text`: runs of letters and digits; everything else separates words.
    package static func words(in text: String) -> [String] {
        fold(text).split { !($0.isLetter || $0.isNumber) }.map(String.init)
    }

    /// The smallest string greater than every string starting with `prefix` (binary collation),
    /// so that `column >= prefix AND column < upperBound(prefix)` is an index range.
    package static func upperBound(ofPrefix prefix: String) -> String {
        prefix + "\u{10FFFF}"
    }
}
