import Foundation
import GraphTestDouble
import RosterDirectory
import Synchronization
import Testing

/// A started ``GraphDouble`` and a ``GraphDirectory`` pointed at it, whose waits are recorded
/// instead of slept, so retry tests assert exact durations without touching the wall clock.
struct GraphDoubleHarness {
    let double: GraphDouble
    let directory: GraphDirectory
    let recorder: Recorder

    /// Waits and throttle events, in order.
    final class Recorder: Sendable {
        private let state = Mutex<(sleeps: [Duration], throttles: [GraphDirectory.ThrottleWait])>(([], []))

        var sleeps: [Duration] { state.withLock { $0.sleeps } }
        var throttles: [GraphDirectory.ThrottleWait] { state.withLock { $0.throttles } }

        func sleep(_ duration: Duration) { state.withLock { $0.sleeps.append(duration) } }
        func throttle(_ wait: GraphDirectory.ThrottleWait) { state.withLock { $0.throttles.append(wait) } }
    }

    /// Runs `body` against a double serving `directory`, stopping the double afterwards.
    static func run<Result: Sendable>(
        _ directory: GraphDoubleDirectory,
        double doubleConfiguration: GraphDouble.Configuration = GraphDouble.Configuration(),
        secret: String? = nil,
        configure: (inout GraphDirectory.Configuration) -> Void = { _ in },
        _ body: (GraphDoubleHarness) async throws -> Result
    ) async throws -> Result {
        try await GraphDouble.withRunning(directory: directory, configuration: doubleConfiguration) { double in
            let recorder = Recorder()
            var configuration = GraphDirectory.Configuration(
                directoryTenantID: doubleConfiguration.tenantID,
                clientID: doubleConfiguration.clientID,
                clientSecret: .init(secret ?? doubleConfiguration.clientSecret)
            )
            configuration.authority = double.baseURL
            configuration.graphBaseURL = double.baseURL
            configuration.sleep = { recorder.sleep($0) }
            configuration.onThrottle = { recorder.throttle($0) }
            configure(&configuration)
            let harness = GraphDoubleHarness(
                double: double,
                directory: GraphDirectory(configuration: configuration),
                recorder: recorder
            )
            return try await body(harness)
        }
    }

    /// The Graph requests (token requests left out) whose path starts with `prefix`.
    func graphRequests(_ prefix: String = "/v1.0/") -> [GraphDouble.RecordedRequest] {
        double.requests.filter { $0.path.hasPrefix(prefix) }
    }
}

/// Directories the tests serve.
enum TestDirectories {
    /// The bundled demo directory, as the double reads it.
    static func demo() throws -> GraphDoubleDirectory {
        try GraphDoubleDirectory(contentsOf: #require(FileDirectory.demoURL))
    }

    /// `count` generated users and no groups.
    static func generated(_ count: Int) -> GraphDoubleDirectory {
        .generated(userCount: count)
    }
}

extension DirectoryPages {
    /// Every page, in order (tests only: a real caller handles pages as they come).
    func collect() async throws -> [Page] {
        var pages: [Page] = []
        for try await page in self { pages.append(page) }
        return pages
    }
}
