internal import Foundation
public import RosterWire
internal import Synchronization

/// The `roster.health.v1.Health` service (proto/health.proto), with gRPC health semantics: a
/// status per service name ("" is the whole server), Check answering it now (NOT_FOUND for a name
/// it does not know), Watch streaming it now and at each change. It asks for no API key; register
/// it on the router beside the service it reports on.
public final class HealthService: Sendable {
    private struct State {
        var statuses: [String: HealthCheckResponse.ServingStatus]
        var watchers:
            [UUID: (service: String, continuation: AsyncStream<HealthCheckResponse.ServingStatus>.Continuation)] = [:]
        var stopped = false
    }

    private let state: Mutex<State>

    /// A health service knowing `services` (and ""), each NOT_SERVING until set.
    public init(services: [String]) {
        var statuses: [String: HealthCheckResponse.ServingStatus] = ["": .notServing]
        for service in services { statuses[service] = .notServing }
        state = Mutex(State(statuses: statuses))
    }

    /// Sets every known service's status (the whole server's included), and tells the watchers.
    public func setAll(_ status: HealthCheckResponse.ServingStatus) {
        let watchers = state.withLock { state in
            for service in state.statuses.keys { state.statuses[service] = status }
            return state.watchers.values.filter { state.statuses[$0.service] != nil }
        }
        for watcher in watchers { watcher.continuation.yield(status) }
    }

    /// Ends every Watch (after the last status was sent): the server is stopping.
    public func stopWatches() {
        let watchers = state.withLock { state in
            state.stopped = true
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        for watcher in watchers { watcher.continuation.finish() }
    }

    /// The status of `service`, or nil when it is not known.
    public func status(of service: String) -> HealthCheckResponse.ServingStatus? {
        state.withLock { $0.statuses[service] }
    }

    /// Registers Check and Watch on `router`.
    public func register(into router: inout RPCRouter) {
        router.register(HealthMethods.check) { [self] request, _ in
            guard let status = status(of: request.service) else {
                throw RPCError(.notFound, "unknown service \"\(request.service)\"; this server reports on \(known)")
            }
            return HealthCheckResponse(status: status)
        }
        router.register(HealthMethods.watch) { [self] request, writer, _ in
            for await status in watch(request.service) {
                try await writer.write(HealthCheckResponse(status: status))
            }
        }
    }

    /// The service names this server reports on, for messages.
    private var known: String {
        state.withLock { $0.statuses.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ") }
    }

    /// The status of `service` now (SERVICE_UNKNOWN for a name not known), then each change.
    private func watch(_ service: String) -> AsyncStream<HealthCheckResponse.ServingStatus> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: HealthCheckResponse.ServingStatus.self,
            bufferingPolicy: .bufferingNewest(1)
        )
        let id = UUID()
        let stopped = state.withLock { state -> Bool in
            continuation.yield(state.statuses[service] ?? .serviceUnknown)
            guard !state.stopped else { return true }
            // Unknown names are kept too, so that stopping ends their watches as well.
            state.watchers[id] = (service, continuation)
            return false
        }
        if stopped { continuation.finish() }
        continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }
}
