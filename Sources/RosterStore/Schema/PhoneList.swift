internal import Foundation

/// businessPhones as the store keeps them: one JSON array of strings in a TEXT column.
///
/// A column rather than a child table because the list is short, always read and written whole,
/// and compared whole by the apply step (`IS NOT` on the text). The encoding is canonical (no
/// spaces, only the escapes JSON requires), so equal lists always give equal text.
package enum PhoneList {
    /// The canonical JSON text of `phones`.
    package static func encode(_ phones: [String]) -> String {
        if phones.isEmpty { return "[]" }
        var text = "["
        for (offset, phone) in phones.enumerated() {
            if offset > 0 { text += "," }
            text += "\""
            for scalar in phone.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case _ where scalar.value < 0x20: text += String(format: "\\u%04x", scalar.value)
                default: text.unicodeScalars.append(scalar)
                }
            }
            text += "\""
        }
        return text + "]"
    }

    /// The list in `text`; an unreadable value (only possible if edited by hand) reads as empty.
    package static func decode(_ text: String) -> [String] {
        if text == "[]" { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
