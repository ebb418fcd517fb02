internal import Foundation

/// The canonical JSON text the store writes for lists and maps held in one TEXT column: no
/// spaces, only the escapes JSON requires, so equal values always give equal text (the apply step
/// compares columns with `IS NOT`).
enum JSONText {
    /// Appends `value` as a JSON string literal.
    static func appendString(_ value: String, to text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
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

    /// The strings of a canonical list (`["a","b"]`) or, with `pairs`, of a canonical map
    /// (`{"k":"v"}`, keys and values in turn), read byte by byte without a JSON decoder: the
    /// common case of every contact read. Nil for anything else (an escape, a space, another
    /// shape): the caller then decodes `text` as JSON.
    static func canonicalStrings(_ text: String, open: UInt8, close: UInt8, pairs: Bool) -> [String]? {
        let bytes = Array(text.utf8)
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), colon = UInt8(ascii: ":")
        guard bytes.count >= 2, bytes[0] == open, bytes[bytes.count - 1] == close,
            !bytes.contains(UInt8(ascii: "\\"))
        else { return nil }
        let end = bytes.count - 1
        var strings: [String] = []
        var index = 1
        while index < end {
            // Without escapes, the next quote after an opening one closes the string.
            guard bytes[index] == quote, let closing = bytes[(index + 1)..<end].firstIndex(of: quote) else {
                return nil
            }
            strings.append(String(decoding: bytes[(index + 1)..<closing], as: UTF8.self))
            index = closing + 1
            guard index < end else { break }
            guard bytes[index] == (pairs && strings.count % 2 == 1 ? colon : comma), index + 1 < end else {
                return nil
            }
            index += 1
        }
        return pairs && strings.count % 2 == 1 ? nil : strings
    }
}
