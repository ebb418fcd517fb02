internal import NIOCore
internal import PostgresNIO
internal import RosterStore

/// One result row, read by column index; a value of an unexpected type fails with a
/// ``StoreError`` naming the column.
struct SQLRow: Sendable {
    private let cells: [PostgresCell]

    init(_ row: PostgresRow) { cells = Array(row) }

    var count: Int { cells.count }

    func string(_ index: Int) throws(StoreError) -> String? { try decode(String?.self, index) }
    func int64(_ index: Int) throws(StoreError) -> Int64 { try decode(Int64?.self, index) ?? 0 }
    func optionalInt64(_ index: Int) throws(StoreError) -> Int64? { try decode(Int64?.self, index) }
    func int(_ index: Int) throws(StoreError) -> Int { Int(try int64(index)) }
    func bool(_ index: Int) throws(StoreError) -> Bool { try decode(Bool?.self, index) ?? false }
    func bytes(_ index: Int) throws(StoreError) -> [UInt8]? {
        try decode(ByteBuffer?.self, index).map { Array($0.readableBytesView) }
    }

    private func decode<T: PostgresDecodable>(_ type: T.Type, _ index: Int) throws(StoreError) -> T {
        guard index < cells.count else {
            throw StoreError(.database, "a query returned \(cells.count) columns, not \(index + 1); this is a bug")
        }
        do {
            return try cells[index].decode(T.self)
        } catch {
            throw StoreError(
                .database,
                "column \(cells[index].columnName) holds a \(cells[index].dataType) where the store expects "
                    + "\(T.self); was the database altered by hand or written by a newer rosterd?"
            )
        }
    }
}
