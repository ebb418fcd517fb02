import NIOCore
import RosterWire

private let messageTypes = ProtoCatalog.messageTypes.sorted { $0.key < $1.key }.map(\.value)

/// The first byte picks one of the protocol's message types; the rest is decoded as that type.
/// Decoding must either throw a ProtoDecodingError or give a message whose encoding decodes to
/// the same message and re-encodes to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessageDecoder(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    guard let selector = input.first else { return 0 }
    let type = messageTypes[Int(selector) % messageTypes.count]
    check(type, UnsafeRawBufferPointer(rebasing: input.dropFirst()))
    return 0
}

private func check<M: ProtoMessage>(_ type: M.Type, _ bytes: UnsafeRawBufferPointer) {
    let limits = ProtoDecodingLimits(maxSize: 1 << 20, maxDepth: 100)
    let message: M
    do {
        message = try M(decoding: bytes, limits: limits)
    } catch {
        _ = error.description
        return
    }
    let encoded = message.encodedBytes
    precondition(encoded.count == message.encodedSize, "encodedSize disagrees with encodedBytes")
    let again: M
    do {
        again = try M(decoding: encoded, limits: limits)
    } catch {
        fatalError("\(M.protoMessageName): our own encoding does not decode: \(error)")
    }
    precondition(again.encodedBytes == encoded, "\(M.protoMessageName): encoding is not stable")
    // Float fields holding NaN are not equal to themselves, so compare bytes rather than values.
    var buffer = ByteBuffer()
    again.encode(into: &buffer)
    precondition(Array(buffer.readableBytesView) == encoded, "\(M.protoMessageName): ByteBuffer path differs")
}
