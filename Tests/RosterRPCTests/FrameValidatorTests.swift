import NIOCore
import RosterWire
import Testing

@testable import RosterRPC

/// PROTOCOL.md §4, checked once for both roles.
@Suite("FrameValidator")
struct FrameValidatorTests {
    let server = FrameValidator(role: .server)
    let client = FrameValidator(role: .client)

    func violation(_ validator: FrameValidator, _ frame: Frame) -> String? {
        do {
            _ = try validator.validate(frame)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("frames on the wrong stream are violations for either side")
    func wrongStream() {
        for validator in [server, client] {
            #expect(
                violation(validator, Frame(type: .settings, streamID: 5))
                    == "SETTINGS on stream 5; it belongs on stream 0"
            )
            #expect(
                violation(validator, Frame(type: .message, streamID: 0))
                    == "MESSAGE on stream 0; it belongs on a call's stream"
            )
            #expect(
                violation(validator, Frame(type: .cancel, streamID: 0))
                    == "CANCEL on stream 0; it belongs on a call's stream"
            )
            #expect(
                violation(
                    validator,
                    Frame(type: .ping, streamID: 1, payload: ByteBuffer(bytes: [0, 0, 0, 0, 0, 0, 0, 0]))
                ) == "PING must carry 8 bytes on stream 0 (stream 1, 8 bytes)"
            )
            #expect(
                violation(validator, Frame(type: .goAway, streamID: 3)) == "GOAWAY on stream 3; it belongs on stream 0"
            )
        }
    }

    @Test("payloads of the wrong size are violations for either side")
    func wrongSize() {
        for validator in [server, client] {
            #expect(
                violation(validator, Frame(type: .ping, streamID: 0, payload: ByteBuffer(bytes: [1, 2, 3, 4])))
                    == "PING must carry 8 bytes on stream 0 (stream 0, 4 bytes)"
            )
            #expect(
                violation(
                    validator,
                    Frame(type: .settings, flags: .ack, streamID: 0, payload: ByteBuffer(bytes: [8, 1]))
                ) == "SETTINGS ACK with a payload of 2 bytes; it must be empty"
            )
            #expect(
                violation(validator, Frame(type: .windowUpdate, streamID: 1, payload: ByteBuffer(bytes: [0, 0, 0, 0])))
                    == "WINDOW_UPDATE with an increment of 0"
            )
            #expect(
                violation(validator, Frame(type: .windowUpdate, streamID: 1, payload: ByteBuffer(bytes: [0, 1])))
                    == "WINDOW_UPDATE must carry a 4-byte increment on a call's stream (stream 1, 2 bytes)"
            )
        }
    }

    @Test("each side refuses the frames only the other side sends")
    func direction() {
        #expect(
            violation(server, Frame(type: .trailers, flags: .endStream, streamID: 1))
                == "TRAILERS sent by a client; only servers send TRAILERS"
        )
        #expect(
            violation(client, Frame(type: .headers, streamID: 1))
                == "HEADERS sent by a server; only clients send HEADERS"
        )
        #expect(
            violation(server, Frame(type: .headers, streamID: 2)) == "HEADERS on stream 2; clients open odd stream ids"
        )
        #expect(violation(client, Frame(type: .trailers, flags: .endStream, streamID: 1)) == nil)
        #expect(violation(server, Frame(type: .headers, streamID: 1)) == nil)
    }

    @Test("control payloads that are not valid protobuf are violations; an empty GOAWAY is valid")
    func controlPayloads() {
        for validator in [server, client] {
            #expect(
                violation(validator, Frame(type: .goAway, streamID: 0, payload: ByteBuffer(bytes: [0xFF])))?.hasPrefix(
                    "GOAWAY payload is not a valid roster.rpc.v1.GoAway"
                ) == true
            )
            #expect(
                violation(validator, Frame(type: .settings, streamID: 0, payload: ByteBuffer(bytes: [0x0A, 0x09])))?
                    .hasPrefix("SETTINGS payload is not a valid roster.rpc.v1.Settings") == true
            )
            #expect(
                violation(validator, Frame(type: .cancel, streamID: 1, payload: ByteBuffer(bytes: [0xFF])))?.hasPrefix(
                    "CANCEL payload is not a valid roster.rpc.v1.Status"
                ) == true
            )
            #expect(violation(validator, Frame(type: .goAway, streamID: 0)) == nil)
        }
    }

    @Test("unknown frame types are skipped on any stream")
    func unknown() throws {
        let frame = Frame(
            type: FrameType(rawValue: 0x42),
            flags: FrameFlags(rawValue: 0xFF),
            streamID: 6,
            payload: ByteBuffer(bytes: [1])
        )
        guard case .unknown = try server.validate(frame) else { Issue.record("not skipped"); return }
        guard case .unknown = try client.validate(frame) else { Issue.record("not skipped"); return }
    }
}
