import NIOCore
import RosterRPC
import RosterWire

/// Reads the server's side of a raw connection frame by frame without keeping payloads it has no
/// use for: counts frames by type and keeps SETTINGS, TRAILERS codes and the first GOAWAY.
struct FrameScanner: Sendable {
    /// Bytes received (after TLS).
    private(set) var bytes = 0
    /// Frames seen, by type byte.
    private(set) var frames: [UInt8: Int] = [:]
    /// TRAILERS seen, by status code.
    private(set) var trailers: [Int32: Int] = [:]
    /// The first GOAWAY.
    private(set) var goAway: RPCMessages.GoAway?
    private(set) var pingAcks = 0

    private var pending = ByteBuffer()
    private var skipping = 0
    /// Payloads read whole; anything else (and anything over 1 MiB) is skipped unbuffered.
    private static let keptTypes: Set<FrameType> = [.settings, .trailers, .goAway]

    /// Takes the next bytes; returns how many SETTINGS without ACK they completed (each wants an ACK).
    mutating func feed(_ incoming: ByteBuffer) -> Int {
        var input = incoming
        bytes += input.readableBytes
        if skipping > 0 {
            let step = min(skipping, input.readableBytes)
            input.moveReaderIndex(forwardBy: step)
            skipping -= step
        }
        guard input.readableBytes > 0 else { return 0 }
        pending.writeBuffer(&input)
        var settings = 0
        while true {
            if skipping > 0 {
                let step = min(skipping, pending.readableBytes)
                pending.moveReaderIndex(forwardBy: step)
                skipping -= step
                if skipping > 0 { break }
            }
            guard
                let (length, rawType, rawFlags, _) = pending.getMultipleIntegers(
                    at: pending.readerIndex,
                    as: (UInt32, UInt8, UInt8, UInt32).self
                )
            else { break }
            let type = FrameType(rawValue: rawType)
            let flags = FrameFlags(rawValue: rawFlags)
            if Self.keptTypes.contains(type) && length <= 1 << 20 {
                guard pending.readableBytes >= Frame.headerSize + Int(length) else { break }
                pending.moveReaderIndex(forwardBy: Frame.headerSize)
                let payload = pending.readSlice(length: Int(length))!
                switch type {
                case .settings where !flags.contains(.ack):
                    settings += 1
                case .trailers:
                    let code =
                        payload.readableBytes == 0 ? 0 : ((try? RPCMessages.Status(decoding: payload))?.code ?? 2)
                    trailers[code, default: 0] += 1
                case .goAway where goAway == nil:
                    goAway =
                        (try? RPCMessages.GoAway(decoding: payload))
                        ?? RPCMessages.GoAway(lastStreamID: 0, code: -1, message: "undecodable")
                default:
                    break
                }
            } else {
                pending.moveReaderIndex(forwardBy: Frame.headerSize)
                skipping = Int(length)
                if type == .ping && flags.contains(.ack) { pingAcks += 1 }
            }
            frames[rawType, default: 0] += 1
        }
        pending.discardReadBytes()
        return settings
    }

    /// Frames of one type seen so far.
    func count(_ type: FrameType) -> Int { frames[type.rawValue] ?? 0 }

    /// TRAILERS seen so far.
    var trailersTotal: Int { trailers.values.reduce(0, +) }
}

extension RPCMessages.GoAway {
    /// "GOAWAY 8 RESOURCE_EXHAUSTED".
    var summary: String { "GOAWAY \(code) \(RPCError.Code(rawValue: code))" }
}
