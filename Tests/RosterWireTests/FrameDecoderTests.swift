import NIOCore
import NIOTestUtils
import RosterWire
import Testing

@Suite("Frame decoder")
struct FrameDecoderTests {
    private func frame(_ type: FrameType, flags: FrameFlags = [], stream: UInt32, _ payload: [UInt8]) -> Frame {
        Frame(type: type, flags: flags, streamID: stream, payload: ByteBuffer(bytes: payload))
    }

    private func bytes(of frames: [Frame], preface: Bool) -> ByteBuffer {
        var buffer = ByteBuffer()
        if preface { buffer.writeBytes(ConnectionPreface.bytes) }
        for frame in frames { frame.write(to: &buffer) }
        return buffer
    }

    @Test("the header is 10 bytes, big-endian, as PROTOCOL.md lays it out")
    func headerLayout() {
        var buffer = ByteBuffer()
        frame(.ping, flags: .ack, stream: 0, [1, 2, 3, 4, 5, 6, 7, 8]).write(to: &buffer)
        #expect(Array(buffer.readableBytesView.prefix(10)) == [0, 0, 0, 8, 0x06, 0x01, 0, 0, 0, 0])
        var headers = ByteBuffer()
        Frame.write(.headers, streamID: 0x0102_0304, message: RPCMessages.CallHeaders(method: "/a/b"), to: &headers)
        #expect(
            Array(headers.readableBytesView) == [
                0, 0, 0, 6, 0x01, 0x00, 1, 2, 3, 4, 0x0A, 0x04, 0x2F, 0x61, 0x2F, 0x62,
            ]
        )
    }

    @Test("decoding does not depend on how the bytes are split (ByteToMessageDecoderVerifier)")
    func verifier() throws {
        let frames = [
            frame(.settings, stream: 0, [0x08, 0x80, 0x80, 0x01]),
            frame(.headers, stream: 1, [0x0A, 0x02, 0x2F, 0x78]),
            frame(.message, flags: .endStream, stream: 1, Array(repeating: 0xAB, count: 300)),
            frame(.message, stream: 3, []),
            frame(FrameType(rawValue: 0x42), flags: FrameFlags(rawValue: 0xF0), stream: 9, [1, 2, 3]),
            frame(.goAway, stream: 0, [0x08, 0x03]),
        ]
        // The verifier feeds the same bytes to one decoder many times, so it can only check the
        // frame layer; the preface (said once per connection) is checked below at every split.
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(bytes(of: frames, preface: false), frames.map { .frame($0) })],
            decoderFactory: { FrameDecoder(expectsPreface: false) }
        )
        let withPreface = bytes(of: frames, preface: true)
        for cut in 0...withPreface.readableBytes {
            var decoder = FrameDecoder(expectsPreface: true)
            var events: [FrameDecoder.Event] = []
            var first = withPreface.getSlice(at: 0, length: cut)!
            while let event = try decoder.decode(buffer: &first) { events.append(event) }
            var rest = first
            rest.writeImmutableBuffer(withPreface.getSlice(at: cut, length: withPreface.readableBytes - cut)!)
            while let event = try decoder.decode(buffer: &rest) { events.append(event) }
            #expect(events == frames.map { .frame($0) }, "split at byte \(cut)")
        }
    }

    @Test("a wrong preface is refused on its first wrong byte, before the rest arrives")
    func badPreface() throws {
        var decoder = FrameDecoder(expectsPreface: true)
        var buffer = ByteBuffer(string: "ROSTER/")
        #expect(try decoder.decode(buffer: &buffer) == nil)
        var http = ByteBuffer(string: "GET / HTTP/1.1\r\n")
        var fresh = FrameDecoder(expectsPreface: true)
        #expect(throws: FrameDecodingError(.badPreface, offset: 0)) { try fresh.decode(buffer: &http) }
        var wrongVersion = ByteBuffer(string: "2\r\n")
        #expect(throws: FrameDecodingError(.badPreface, offset: 7)) { try decoder.decode(buffer: &wrongVersion) }
    }

    @Test("an oversized length is refused from the header alone, before any payload is buffered")
    func oversized() throws {
        var decoder = FrameDecoder(limits: .init(maxFrameSize: 1024), expectsPreface: false)
        var buffer = ByteBuffer()
        buffer.writeMultipleIntegers(UInt32.max, FrameType.message.rawValue, UInt8(0), UInt32(1))
        let header = FrameHeader(length: .max, type: .message, flags: [], streamID: 1)
        #expect(throws: FrameDecodingError(.frameTooLarge(header, limit: 1024), offset: nil)) {
            try decoder.decode(buffer: &buffer)
        }
        let error = FrameDecodingError(.frameTooLarge(header, limit: 4_194_304), offset: nil)
        #expect(error.description == "MESSAGE frame payload of 4294967295 bytes exceeds the max_frame_size of 4194304")
    }

    @Test("a frame exactly at the limit is accepted")
    func atLimit() throws {
        var decoder = FrameDecoder(limits: .init(maxFrameSize: 1024), expectsPreface: false)
        var buffer = bytes(of: [frame(.message, stream: 1, Array(repeating: 7, count: 1024))], preface: false)
        guard case .frame(let decoded)? = try decoder.decode(buffer: &buffer) else {
            Issue.record("no frame")
            return
        }
        #expect(decoded.payload.readableBytes == 1024)
    }

    /// Feeds `input` to `decoder` `chunk` bytes at a time, checking that no more than two chunks
    /// ever wait in its buffer (a skipped payload is not kept); returns the events.
    private func decodeInChunks(_ input: ByteBuffer, with decoder: inout FrameDecoder, chunk: Int) throws
        -> [FrameDecoder.Event]
    {
        var events: [FrameDecoder.Event] = []
        var offset = 0
        var pending = ByteBuffer()
        while offset < input.readableBytes {
            let piece = input.getSlice(at: offset, length: min(chunk, input.readableBytes - offset))!
            offset += piece.readableBytes
            pending.writeImmutableBuffer(piece)
            while let event = try decoder.decode(buffer: &pending) { events.append(event) }
            #expect(pending.readableBytes < 2 * chunk, "the skipped payload was buffered")
            pending.discardReadBytes()
        }
        return events
    }

    @Test("a header block over max_header_size is skipped without buffering, then decoding goes on")
    func skippedHeaders() throws {
        var decoder = FrameDecoder(limits: .init(maxFrameSize: 1 << 20, maxHeaderSize: 64), expectsPreface: false)
        let big = frame(.headers, stream: 5, Array(repeating: 0x61, count: 5000))
        let next = frame(.ping, stream: 0, [1, 2, 3, 4, 5, 6, 7, 8])
        let input = bytes(of: [big, next], preface: false)
        // Feed 100 bytes at a time: the skipped payload must not be waited for as a whole.
        let events = try decodeInChunks(input, with: &decoder, chunk: 100)
        let header = FrameHeader(length: 5000, type: .headers, flags: [], streamID: 5)
        #expect(events == [.skipping(header), .skipped(header), .frame(next)])
    }

    @Test("a frame turned down from its header is skipped without buffering; the others are kept")
    func skippedMessage() throws {
        var asked: [FrameHeader] = []
        var decoder = FrameDecoder(limits: .init(maxFrameSize: 1 << 20), expectsPreface: false)
        decoder.admits = { header in
            asked.append(header)
            return header.type != .message || header.length <= 1000
        }
        let big = frame(.message, flags: .endStream, stream: 3, Array(repeating: 0x61, count: 50_000))
        let small = frame(.message, stream: 5, Array(repeating: 0x62, count: 1000))
        let ping = frame(.ping, stream: 0, [1, 2, 3, 4, 5, 6, 7, 8])
        let input = bytes(of: [big, small, ping], preface: false)
        let events = try decodeInChunks(input, with: &decoder, chunk: 4096)
        let header = FrameHeader(length: 50_000, type: .message, flags: .endStream, streamID: 3)
        #expect(events == [.skipping(header), .skipped(header), .frame(small), .frame(ping)])
        #expect(asked.map(\.type) == [.message, .message, .ping], "asked once per frame")
    }

    @Test("an error thrown from its header ends decoding before any payload is buffered")
    func refusedFromHeader() throws {
        struct Refused: Error {}
        var decoder = FrameDecoder(expectsPreface: false) { header in
            guard header.type != .goAway else { throw Refused() }
            return true
        }
        var buffer = ByteBuffer()
        buffer.writeMultipleIntegers(UInt32(4 << 20), FrameType.goAway.rawValue, UInt8(0), UInt32(0))
        #expect(throws: Refused.self) { try decoder.decode(buffer: &buffer) }
    }

    @Test("the reserved high bit of the stream id is ignored")
    func reservedBit() throws {
        var decoder = FrameDecoder(expectsPreface: false)
        var buffer = ByteBuffer()
        buffer.writeMultipleIntegers(UInt32(0), FrameType.cancel.rawValue, UInt8(0), UInt32(0x8000_0003))
        #expect(try decoder.decode(buffer: &buffer) == .frame(frame(.cancel, stream: 3, [])))
    }

    @Test("truncated frames wait for more bytes and never produce partial frames")
    func truncated() throws {
        let whole = bytes(of: [frame(.message, stream: 1, [1, 2, 3, 4])], preface: false)
        for cut in 0..<whole.readableBytes {
            var decoder = FrameDecoder(expectsPreface: false)
            var part = whole.getSlice(at: 0, length: cut)!
            #expect(try decoder.decodeLast(buffer: &part, seenEOF: true) == nil)
        }
    }
}
