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
}
