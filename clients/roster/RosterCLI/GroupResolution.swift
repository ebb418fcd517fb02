internal import Foundation
public import RosterWire

/// Which group `sync --group TEXT` means, decided from a ListGroups answer for TEXT.
public enum GroupResolution: Sendable, Equatable {
    /// Exactly this group: its id is TEXT, or its display name equals TEXT ignoring case and no other's does.
    case match(id: String, displayName: String)
    /// Several groups could be meant; the operator has to choose.
    case candidates([Group])
    /// No mail-enabled security group matches.
    case noMatch

    /// Resolves `text` against `response`, the ListGroups answer for query `text`. TEXT that is a
    /// directory object id (a UUID) nobody's name matches is taken as the id: the server checks it.
    public static func resolve(_ text: String, in response: ListGroupsResponse) -> GroupResolution {
        let wanted = text.trimmingCharacters(in: .whitespaces)
        if let byID = response.groups.first(where: { $0.id.caseInsensitiveCompare(wanted) == .orderedSame }) {
            return .match(id: byID.id, displayName: byID.displayName)
        }
        let exact = response.groups.filter { $0.displayName.caseInsensitiveCompare(wanted) == .orderedSame }
        if exact.count == 1 { return .match(id: exact[0].id, displayName: exact[0].displayName) }
        if exact.count > 1 { return .candidates(exact) }
        if !response.groups.isEmpty { return .candidates(response.groups) }
        if UUID(uuidString: wanted) != nil { return .match(id: wanted.lowercased(), displayName: "") }
        return .noMatch
    }

    /// The numbered list shown for `.candidates`: "  1. NAME <MAIL>  ID".
    public static func numberedList(_ groups: [Group]) -> [String] {
        let rows = groups.enumerated().map { index, group in
            ["\(index + 1).", group.displayName, group.mail.isEmpty ? "-" : group.mail, group.id]
        }
        return TextFormat.table(["#", "name", "mail", "id"], rows).map { "  " + $0 }
    }
}
