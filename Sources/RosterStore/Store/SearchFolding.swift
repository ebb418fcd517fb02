internal import Foundation

/// Case-, accent- and punctuation-insensitive folding for search: "Zoë" → "zoe", "Ødegård" →
/// "odegard", "O’Brien" → "obrien", "Smith-Jones" → "smith jones".
///
/// Foundation's diacritic folding leaves letters that are not "a letter plus a mark" alone (ø, æ,
/// ß, ł, đ, œ, þ); those are mapped explicitly first, the way a person typing on a plain keyboard
/// would spell them. Apostrophes (straight, curly, modifier) are dropped, since people type a name
/// with one, without one, or with another; any other run of characters that are neither letters
/// nor digits is one space. The same function folds stored names and typed queries (contacts and
/// groups alike), so they always agree: "o'b", "obrien" and "o’brien" all find "O'Brien".
package enum SearchFolding {
    private static let letters: [Character: String] = [
        "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ß": "ss", "ẞ": "ss", "ł": "l", "Ł": "l",
        "đ": "d", "Đ": "d", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ı": "i",
    ]

    private static let apostrophes: Set<Character> = ["'", "\u{2019}", "\u{2018}", "\u{02BC}", "`", "\u{00B4}"]

    /// `text` without case, diacritics and apostrophes; other punctuation and spaces as single
    /// spaces between words, none at the start, and one at the end when `text` ends with some (so
    /// that a query "uk " still means the whole word "uk").
    package static func fold(_ text: String) -> String {
        var mapped = ""
        mapped.reserveCapacity(text.utf8.count)
        for character in text {
            if let replacement = letters[character] {
                mapped += replacement
            } else if !apostrophes.contains(character) {
                mapped.append(character)
            }
        }
        let folded = mapped.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
        func isWordCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber }
        var result = folded.split { !isWordCharacter($0) }.joined(separator: " ")
        if !result.isEmpty, let last = folded.last, !isWordCharacter(last) { result += " " }
        return result
    }

    /// The folded text from each word on: "Anna Smith-Jones" → "anna smith jones", "smith jones",
    /// "jones". A query matches a name when it is a prefix of one of these, so "jo", "smith j"
    /// and "smith\jones" find her.
    package static func wordStarts(in text: String) -> [String] {
        let folded = fold(text)
        var starts: [String] = []
        var atWordStart = true
        for index in folded.indices {
            if folded[index] == " " {
                atWordStart = true
            } else if atWordStart {
                starts.append(String(folded[index...]))
                atWordStart = false
            }
        }
        return starts
    }

    /// The smallest string greater than every string starting with `prefix` (binary collation),
    /// so that `column >= prefix AND column < upperBound(prefix)` is an index range.
    package static func upperBound(ofPrefix prefix: String) -> String {
        prefix + "\u{10FFFF}"
    }
}
