public import NIOCore

/// A message of `proto/*.proto` with a hand-written, protobuf-compatible codec.
///
/// A conforming type lists its fields once in ``traverse(_:)`` (in field-number order, which is
/// what `protoc` emits) and reads them in ``decodeField(_:from:)``; encoding, size and decoding
/// entry points come from the extension below.
public protocol ProtoMessage: Sendable, Hashable {
    /// The fully qualified protobuf name, e.g. `roster.v1.Contact`.
    static var protoMessageName: String { get }
    /// A message with every field at its default.
    init()
    /// Hands every non-default field to the visitor, in field-number order.
    func traverse<V: ProtoVisitor>(_ visitor: inout V)
    /// Reads the value of one field; unknown field numbers must be skipped with `reader.skip`.
    mutating func decodeField(_ tag: ProtoTag, from reader: inout ProtoReader) throws(ProtoDecodingError)
}

extension ProtoMessage {
    /// How many bytes ``encode(into:)`` writes.
    @inlinable
    public var encodedSize: Int {
        var counter = ProtoSizeCounter()
        traverse(&counter)
        return counter.size
    }

    /// Appends the protobuf encoding to `buffer`, with no intermediate copies.
    @inlinable
    public func encode(into buffer: inout ByteBuffer) {
        encode(into: &buffer, encodedSize: encodedSize)
    }

    /// Appends the protobuf encoding when the caller already knows ``encodedSize`` (framing
    /// needs it for the length), so it is not computed twice.
    @inlinable
    public func encode(into buffer: inout ByteBuffer, encodedSize size: Int) {
        guard size > 0 else { return }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            var writer = ProtoWriter(base: raw.baseAddress!, capacity: size)
            traverse(&writer)
            precondition(
                writer.offset == size,
                "\(Self.protoMessageName): traverse wrote \(writer.offset) of \(size) bytes"
            )
            return size
        }
    }

    /// The protobuf encoding as bytes.
    @inlinable
    public var encodedBytes: [UInt8] {
        let size = encodedSize
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            guard size > 0 else { return }
            var writer = ProtoWriter(base: UnsafeMutableRawPointer(buffer.baseAddress!), capacity: size)
            traverse(&writer)
            precondition(
                writer.offset == size,
                "\(Self.protoMessageName): traverse wrote \(writer.offset) of \(size) bytes"
            )
            count = size
        }
    }

    /// Decodes a message from raw bytes, enforcing `limits`.
    @inlinable
    public init(decoding bytes: UnsafeRawBufferPointer, limits: ProtoDecodingLimits = .default)
        throws(ProtoDecodingError)
    {
        guard bytes.count <= limits.maxSize else {
            throw ProtoDecodingError(
                .tooLarge(size: bytes.count, limit: limits.maxSize),
                offset: 0,
                messageName: Self.protoMessageName
            )
        }
        var reader = ProtoReader(bytes: bytes, limits: limits)
        var message = Self()
        try reader.mergeFields(into: &message)
        self = message
    }

    /// Decodes a message from the readable bytes of `buffer` (which are not consumed).
    @inlinable
    public init(decoding buffer: ByteBuffer, limits: ProtoDecodingLimits = .default) throws(ProtoDecodingError) {
        let result: Result<Self, ProtoDecodingError> = buffer.withUnsafeReadableBytes { raw in
            do throws(ProtoDecodingError) {
                return .success(try Self(decoding: raw, limits: limits))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// Decodes a message from a byte array.
    @inlinable
    public init(decoding bytes: [UInt8], limits: ProtoDecodingLimits = .default) throws(ProtoDecodingError) {
        let result: Result<Self, ProtoDecodingError> = bytes.withUnsafeBytes { raw in
            do throws(ProtoDecodingError) {
                return .success(try Self(decoding: raw, limits: limits))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }
}

/// A proto3 enum: open, so a number this build does not know survives a decode and re-encode.
public protocol ProtoEnum: RawRepresentable, Sendable, Hashable, CustomStringConvertible where RawValue == Int32 {
    init(rawValue: Int32)
    /// The `.proto` names of the known values, e.g. `[1: "JOB_STATE_QUEUED"]`.
    static var protoNames: [Int32: String] { get }
}

extension ProtoEnum {
    /// The value's `.proto` name, or nil for a number this build does not know.
    public var protoName: String? { Self.protoNames[rawValue] }

    public var description: String { protoName ?? "\(Self.self)(\(rawValue))" }

    /// The value with this `.proto` name, if there is one.
    public init?(protoName: String) {
        guard let entry = Self.protoNames.first(where: { $0.value == protoName }) else { return nil }
        self.init(rawValue: entry.key)
    }
}
