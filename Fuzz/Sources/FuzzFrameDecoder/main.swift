import NIOCore
import RosterWire

/// Feeds arbitrary bytes to the frame decoder in chunks the input chooses. The decoder must
/// either throw a FrameDecodingError or produce frames whose re-encoding equals the bytes it
/// consumed; it must never crash, loop or buffer past its limits.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    guard input.count >= 2 else { return 0 }
    let expectsPreface = input[0] & 1 == 1
    let chunkSize = Int(input[1]) + 1
    let limits = FrameDecoder.Limits(maxFrameSize: 4096, maxHeaderSize: 256)
    var decoder = FrameDecoder(limits: limits, expectsPreface: expectsPreface)
    var pending = ByteBuffer()
    var reencoded = ByteBuffer()
    var consumed = 0
    var offset = 2
    var skipped = 0
    do {
        while offset < input.count {
            let end = min(offset + chunkSize, input.count)
            pending.writeBytes(UnsafeRawBufferPointer(rebasing: input[offset..<end]))
            offset = end
            while true {
                let before = pending.readerIndex
                guard let event = try decoder.decode(buffer: &pending) else {
                    consumed += pending.readerIndex - before
                    break
                }
                consumed += pending.readerIndex - before
                switch event {
                case .frame(let frame):
                    precondition(frame.payload.readableBytes <= limits.maxFrameSize, "frame over the limit")
                    frame.write(to: &reencoded)
                case .skipped(let header):
                    precondition(Int(header.length) > limits.maxHeaderSize, "skipped a frame within the limit")
                    skipped += Frame.headerSize + Int(header.length)
                }
            }
            precondition(pending.readableBytes < Frame.headerSize + limits.maxFrameSize, "buffered past the limit")
            pending.discardReadBytes()
        }
    } catch is FrameDecodingError {
        return 0
    } catch {
        fatalError("unexpected error type: \(error)")
    }
    // Frames re-encode to exactly the bytes they came from (preface and skipped frames aside).
    let prefaceLength = expectsPreface ? min(ConnectionPreface.bytes.count, consumed) : 0
    if skipped == 0 {
        var source = Array(input[(2 + prefaceLength)..<(2 + consumed)])
        let framesLength = reencoded.readableBytes
        precondition(framesLength <= source.count, "re-encoded more than was consumed")
        // The stream id's reserved high bit is dropped on decode by design: clear it in the source.
        var frameStart = 0
        while frameStart + Frame.headerSize <= framesLength {
            source[frameStart + 6] &= 0x7F
            let length = Int(reencoded.getInteger(at: reencoded.readerIndex + frameStart, as: UInt32.self)!)
            frameStart += Frame.headerSize + length
        }
        precondition(reencoded.readableBytesView.elementsEqual(source.prefix(framesLength)), "frame re-encoding differs")
    }
    return 0
}
