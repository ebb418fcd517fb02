import Foundation
import NIOCore

@testable import RosterDirectory

/// Every reply body RosterDirectory reads from a directory endpoint: user pages (`/users`,
/// members, delta pages with `@removed`), links-only reads, export files, groups and group pages,
/// token replies, JWT claims and error bodies. The first byte picks the reader; the rest is the
/// body. Any input must end in a value or a thrown error: never a crash, whatever its nesting.
/// Additional user properties the user-page reader looks for: standard ones and an extension.
enum FuzzAttributes {
    static let names = [
        "employeeId", "otherMails", "onPremisesSyncEnabled", "extension_0f2a9c4e8b7d4e1fa3c65d2b9e8f7a61_x",
    ]
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGraphReplies(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    guard let selector = input.first else { return 0 }
    let bytes = UnsafeRawBufferPointer(rebasing: input.dropFirst())
    let body = ByteBuffer(bytes: bytes)
    switch selector % 8 {
    case 0:
        // With additional user properties, so their reader (any JSON value as text) is fuzzed too.
        _ = try? GraphUserPage.read(body, attributes: FuzzAttributes.names)
    case 1:
        _ = try? GraphUserPage.links(body)
    case 2:
        _ = try? GraphUserPage.readExportUsers(bytes)
    case 3:
        _ = try? JSONDecoder().decode(DirectoryGroup.self, from: Data(bytes))
    case 4:
        _ = try? JSONDecoder().decode(GraphCollection<DirectoryGroup>.self, from: Data(bytes))
    case 5:
        _ = GraphTokenProvider.tokenReply(body)
        _ = GraphTokenProvider.roles(of: String(decoding: bytes, as: UTF8.self))
    default:
        let response = GraphTransport.Response(status: 400 + Int(selector % 200), headers: [:], body: body)
        _ = GraphErrorBody.code(response)
        _ = GraphErrorBody.message(response)
        _ = GraphErrorBody.requestID(response)
        _ = GraphErrorBody.tokenError(response)
    }
    return 0
}
