internal import RosterTLS
internal import Synchronization

/// Server-wide bounds shared by every connection: calls open at once and the bytes of call
/// metadata (HEADERS payloads) those calls keep. A connection takes a share when it accepts a
/// call and gives it back when the call ends, so many connections together cannot exceed what
/// one server may hold. Also the gate of the background calls (``BackgroundCallGate``).
final class ServerCallBudget: Sendable {
    let maxOpenCalls: Int
    let maxHeaderBytes: Int
    /// The server's connection handlers (and refusers) alive now.
    let liveHandlers = LiveObjects()
    /// Admits the calls of background methods a few at a time, in turns between connections.
    let backgroundCalls: BackgroundCallGate
    private let openCalls = Atomic(0)
    private let headerBytes = Atomic(0)

    init(maxOpenCalls: Int, maxHeaderBytes: Int, maxBackgroundCalls: Int = RPCServerLimits.defaults.maxBackgroundCalls)
    {
        self.maxOpenCalls = maxOpenCalls
        self.maxHeaderBytes = maxHeaderBytes
        self.backgroundCalls = BackgroundCallGate(slots: maxBackgroundCalls)
    }

    /// Why a call could not be taken.
    enum Refusal: Equatable {
        case tooManyCalls
        case tooManyHeaderBytes
    }

    /// Takes one call holding `headerBytes` of metadata, or says why not (taking nothing).
    func take(headerBytes bytes: Int) -> Refusal? {
        let calls = openCalls.wrappingAdd(1, ordering: .relaxed).newValue
        guard calls <= maxOpenCalls else {
            openCalls.wrappingSubtract(1, ordering: .relaxed)
            return .tooManyCalls
        }
        let held = headerBytes.wrappingAdd(bytes, ordering: .relaxed).newValue
        guard held <= maxHeaderBytes else {
            headerBytes.wrappingSubtract(bytes, ordering: .relaxed)
            openCalls.wrappingSubtract(1, ordering: .relaxed)
            return .tooManyHeaderBytes
        }
        return nil
    }

    /// Gives back what ``take(headerBytes:)`` took.
    func release(headerBytes bytes: Int) {
        openCalls.wrappingSubtract(1, ordering: .relaxed)
        headerBytes.wrappingSubtract(bytes, ordering: .relaxed)
    }

    /// Calls open now, server-wide.
    var currentOpenCalls: Int { openCalls.load(ordering: .relaxed) }
    /// Metadata bytes held now, server-wide.
    var currentHeaderBytes: Int { headerBytes.load(ordering: .relaxed) }
}
