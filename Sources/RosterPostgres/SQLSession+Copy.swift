internal import NIOCore
internal import PostgresNIO
internal import RosterStore

// COPY … FROM STDIN: many rows in one stream, without a parameter per value (the import's contacts).
extension SQLSession {
    /// Bytes sent to the server per write.
    private static let bytesPerWrite = 1 << 20

    /// Copies `rows` (one text value or nil per column) into `table` with `COPY … FROM STDIN` in
    /// text format. Only on a `.connection` session, inside its transaction: a row the server
    /// refuses fails the whole copy (as `violations` maps its SQLSTATE, as for ``rows(_:_:violations:)``).
    /// Table and column names must be constants, never input.
    func copy(into table: String, columns: [String], rows: [[String?]], violations: [String: StoreError] = [:])
        async throws(StoreError)
    {
        guard case .connection(let connection) = target else {
            throw StoreError(.database, "COPY into \(table) needs a session on one connection; this is a bug")
        }
        try Self.checkOpen(connection, running: "COPY \(table) FROM STDIN")
        do {
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                var buffer = ByteBuffer()
                buffer.reserveCapacity(Self.bytesPerWrite + (1 << 16))
                for row in rows {
                    for (index, value) in row.enumerated() {
                        if index > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                        Self.write(value, to: &buffer)
                    }
                    buffer.writeInteger(UInt8(ascii: "\n"))
                    if buffer.readableBytes >= Self.bytesPerWrite {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
            }
        } catch {
            throw Self.storeError(error, running: "COPY \(table) FROM STDIN", violations: violations)
        }
    }

    /// One value in COPY's text format: `\N` for NULL; backslash, tab, newline and carriage return
    /// escaped; every other byte as it is.
    private static func write(_ value: String?, to buffer: inout ByteBuffer) {
        guard let value else {
            buffer.writeStaticString("\\N")
            return
        }
        let special: (UInt8) -> Bool = { $0 == UInt8(ascii: "\\") || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard value.utf8.contains(where: special) else {
            buffer.writeString(value)
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }
}
