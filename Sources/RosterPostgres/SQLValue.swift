internal import NIOCore
internal import PostgresNIO

/// One parameter of a statement, typed the way the schema stores it.
enum SQLValue: Sendable {
    case text(String?)
    case integer(Int64?)
    case boolean(Bool)
    case bytes([UInt8]?)
    /// A `text[]`, for `= ANY($n)` and `unnest($n)`.
    case textArray([String])
    /// A `bigint[]`, for `unnest($n)`.
    case integerArray([Int64])

    /// An `Int` stored as BIGINT.
    static func int(_ value: Int?) -> SQLValue { .integer(value.map(Int64.init)) }

    /// `$first, $first+1, …`: `count` parameter references for one row of a multi-row INSERT.
    static func placeholders(from first: Int, count: Int) -> String {
        (first..<(first + count)).map { "$\($0)" }.joined(separator: ", ")
    }

    /// `values` as bindings `$1`, `$2`, … in order.
    static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text): bindings.append(text)
            case .integer(let integer): bindings.append(integer)
            case .boolean(let boolean): bindings.append(boolean)
            case .bytes(let bytes): bindings.append(bytes.map { ByteBuffer(bytes: $0) })
            case .textArray(let array): bindings.append(array)
            case .integerArray(let array): bindings.append(array)
            }
        }
        return bindings
    }
}
