/// Asks for a job's live progress (`roster.v1.WatchProgressRequest`).
public struct WatchProgressRequest: ProtoMessage {
    public static let protoMessageName = "roster.v1.WatchProgressRequest"

    /// Empty: the active job, or else the last finished one.
    public var jobID = ""

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, jobID)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: jobID = try r.string(tag)
        default: try r.skip(tag)
        }
    }
}

/// One state of a job; the stream's last one has `final` set (`roster.v1.ProgressUpdate`).
public struct ProgressUpdate: ProtoMessage {
    public static let protoMessageName = "roster.v1.ProgressUpdate"

    public var jobID = ""
    public var state = JobState.unspecified
    public var phase = SyncPhase.unspecified
    public var counters: ProgressCounters?
    /// 0–100; 0 while the total is unknown.
    public var percent: Float = 0
    /// Estimated time left; 0 while unknown.
    public var etaMs: Int64 = 0
    /// Non-zero while the job waits out directory throttling (Retry-After).
    public var throttleWaitMs: Int64 = 0
    /// What is happening now, for people.
    public var message = ""
    public var final = false
    public var summary: ConfirmationSummary?
    public var errorCode = ""
    public var errorMessage = ""
    public var elapsedMs: Int64 = 0

    public init() {}

    @inlinable
    public func traverse<V: ProtoVisitor>(_ v: inout V) {
        v.string(1, jobID)
        v.enumValue(2, state)
        v.enumValue(3, phase)
        v.message(4, counters)
        v.float(5, percent)
        v.int64(6, etaMs)
        v.int64(7, throttleWaitMs)
        v.string(8, message)
        v.bool(9, final)
        v.message(10, summary)
        v.string(11, errorCode)
        v.string(12, errorMessage)
        v.int64(13, elapsedMs)
    }

    @inlinable
    public mutating func decodeField(_ tag: ProtoTag, from r: inout ProtoReader) throws(ProtoDecodingError) {
        switch tag.fieldNumber {
        case 1: jobID = try r.string(tag)
        case 2: state = try r.enumValue(tag)
        case 3: phase = try r.enumValue(tag)
        case 4: try r.message(tag, into: &counters)
        case 5: percent = try r.float(tag)
        case 6: etaMs = try r.int64(tag)
        case 7: throttleWaitMs = try r.int64(tag)
        case 8: message = try r.string(tag)
        case 9: final = try r.bool(tag)
        case 10: try r.message(tag, into: &summary)
        case 11: errorCode = try r.string(tag)
        case 12: errorMessage = try r.string(tag)
        case 13: elapsedMs = try r.int64(tag)
        default: try r.skip(tag)
        }
    }
}
