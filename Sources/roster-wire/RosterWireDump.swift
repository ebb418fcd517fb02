import Foundation
import NIOCore
import RosterWire

/// `roster-wire`: prints the frames of a captured Roster byte stream (one direction of one
/// connection, after TLS), with every payload decoded by RosterWire's codec.
///
///     roster-wire client-capture.bin [server-capture.bin]
///
/// A capture that starts with the client preface is read as the client's side; the server's side
/// is decoded using the methods seen on the client's side (or, alone, as best it can).
@main
struct RosterWireDump {
    static func main() throws {
        let paths = CommandLine.arguments.dropFirst()
        guard !paths.isEmpty, !paths.contains("--help") else {
            print("usage: roster-wire CAPTURE [CAPTURE]  — print the frames of captured Roster traffic")
            return
        }
        var methodsByStream: [UInt32: ServiceCatalog.Method] = [:]
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DumpError("cannot read \(path): check the path")
            }
            var buffer = ByteBuffer(bytes: data)
            let isClient = buffer.readableBytesView.starts(with: ConnectionPreface.bytes)
            print("== \(path): \(isClient ? "client → server" : "server → client"), \(data.count) bytes")
            if isClient { print("preface  ROSTER/1\\r\\n\\r\\n") }
            var decoder = FrameDecoder(expectsPreface: isClient)
            while let event = try decoder.decode(buffer: &buffer) {
                switch event {
                case .skipping(let header):
                    print(
                        "\(header.type) stream \(header.streamID): \(header.length) bytes over max_header_size, skipped"
                    )
                case .skipped:
                    break
                case .frame(let frame):
                    print(describe(frame, methodsByStream: &methodsByStream, fromClient: isClient))
                }
            }
            if buffer.readableBytes > 0 { print("(\(buffer.readableBytes) trailing bytes: an incomplete frame)") }
        }
    }

    static func describe(_ frame: Frame, methodsByStream: inout [UInt32: ServiceCatalog.Method], fromClient: Bool)
        -> String
    {
        let head =
            "\(frame.type) stream \(frame.streamID) flags 0x\(String(frame.flags.rawValue, radix: 16)) length \(frame.payload.readableBytes)"
        func show<M: ProtoMessage>(_ type: M.Type) -> String {
            do {
                return "\(head)\n    \(M.protoMessageName) \(try M(decoding: frame.payload))"
            } catch {
                return "\(head)\n    invalid \(M.protoMessageName): \(error)"
            }
        }
        switch frame.type {
        case .settings where frame.flags.contains(.ack): return head + " (ACK)"
        case .settings: return show(RPCMessages.Settings.self)
        case .headers:
            if let headers = try? RPCMessages.CallHeaders(decoding: frame.payload) {
                methodsByStream[frame.streamID] = ServiceCatalog.methods[headers.method]
            }
            return show(RPCMessages.CallHeaders.self)
        case .trailers, .cancel: return frame.payload.readableBytes == 0 ? head : show(RPCMessages.Status.self)
        case .goAway: return show(RPCMessages.GoAway.self)
        case .windowUpdate, .ping:
            return head + " payload " + frame.payload.readableBytesView.map { String(format: "%02x", $0) }.joined()
        case .message:
            guard let method = methodsByStream[frame.streamID] else { return head + " (method unknown)" }
            let type: any ProtoMessage.Type = fromClient ? method.request : method.response
            return show(type)
        default: return head + " (unknown type, ignored)"
        }
    }
}

struct DumpError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
