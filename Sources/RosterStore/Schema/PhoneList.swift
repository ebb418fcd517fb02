internal import Foundation

/// A list of strings as the store keeps it: one JSON array of strings in a TEXT column
/// (`contacts.business_phones`, `tenants.attributes`).
///
/// A column rather than a child table because the list is short, always read and written whole,
/// and compared whole by the apply step (`IS NOT` on the text). The encoding is canonical
/// (``JSONText``), so equal lists always give equal text.
package enum PhoneList {
    /// The canonical JSON text of `phones`.
    package static func encode(_ phones: [String]) -> String {
        if phones.isEmpty { return "[]" }
        var text = "["
        for (offset, phone) in phones.enumerated() {
            if offset > 0 { text += "," }
            JSONText.appendString(phone, to: &text)
        }
        return text + "]"
    }

    /// The list in `text`; an unreadable value (only possible if edited by hand) reads as empty.
    package static func decode(_ text: String) -> [String] {
        if text == "[]" { return [] }
        if let strings = JSONText.canonicalStrings(
            text,
            open: UInt8(ascii: "["),
            close: UInt8(ascii: "]"),
            pairs: false
        ) {
            return strings
        }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
