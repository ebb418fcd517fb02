public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

// Foundation's `availableData` and `readDataToEndOfFile()` trap when read(2) is interrupted by a
// signal (EINTR, e.g. a SIGCHLD while many children come and go). These read the pipe directly
// and simply read again.
extension FileHandle {
    /// What the pipe holds now (waiting for at least a byte); empty at its end.
    public func readChunk(maximum: Int = 65_536) -> Data {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fileDescriptor, $0.baseAddress, maximum) }
            if count >= 0 { return Data(buffer.prefix(count)) }
            if errno != EINTR { return Data() }
        }
    }

    /// Everything until the pipe's end.
    public func readUntilEnd() -> Data {
        var data = Data()
        while true {
            let chunk = readChunk()
            if chunk.isEmpty { return data }
            data.append(chunk)
        }
    }
}
