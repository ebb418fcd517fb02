import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// A Graph collection page of small objects (groups), decoded by `JSONDecoder`: `{"@odata.nextLink": …, "@odata.deltaLink": …, "@odata.count": …, "value": […]}`.
struct GraphCollection<Item: Decodable>: Decodable {
    var value: [Item]
    var nextLink: String?
    var deltaLink: String?
    var count: Int?

    enum CodingKeys: String, CodingKey {
        case value
        case nextLink = "@odata.nextLink"
        case deltaLink = "@odata.deltaLink"
        case count = "@odata.count"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        value = try c.decodeIfPresent([Item].self, forKey: .value) ?? []
        nextLink = try c.decodeIfPresent(String.self, forKey: .nextLink)
        deltaLink = try c.decodeIfPresent(String.self, forKey: .deltaLink)
        count = try c.decodeIfPresent(Int.self, forKey: .count)
    }
}
