internal import Foundation

/// A contact's additional user properties as the store keeps them: one JSON object of strings in
/// the TEXT column `attributes`, keys in UTF-8 byte order, NULL when there are none.
///
/// Canonical (``JSONText``, sorted keys, NULL rather than `{}`) so that the apply step's
/// `IS NOT` on the column is exactly "the map changed": an attribute's new value, or one added or
/// removed, makes the contact an update; contacts stored before the column existed read as NULL,
/// the same as a contact with no attributes.
package enum AttributeMap {
    /// The canonical JSON text of `attributes`; nil when it is empty.
    package static func encode(_ attributes: [String: String]) -> String? {
        if attributes.isEmpty { return nil }
        var text = "{"
        for (offset, key) in attributes.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if offset > 0 { text += "," }
            JSONText.appendString(key, to: &text)
            text += ":"
            JSONText.appendString(attributes[key] ?? "", to: &text)
        }
        return text + "}"
    }

    /// The map in `text`; NULL, and an unreadable value (only possible if edited by hand), read as
    /// empty.
    package static func decode(_ text: String?) -> [String: String] {
        guard let text, text != "{}" else { return [:] }
        if let strings = JSONText.canonicalStrings(text, open: UInt8(ascii: "{"), close: UInt8(ascii: "}"), pairs: true)
        {
            var map: [String: String] = [:]
            for index in stride(from: 0, to: strings.count, by: 2) {
                map[strings[index]] = strings[index + 1]
            }
            return map
        }
        return (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }
}
