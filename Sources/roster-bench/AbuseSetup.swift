import RosterClient
import RosterWire

/// Gives the probes' tenant contacts: connects a directory and runs an all-users sync to its end.
enum AbuseSetup {
    /// Connects `directoryURL` (`demo:` or `file:///….json`; rosterd needs `--allow-file-directories`),
    /// syncs all users, and returns the tenant's contact count.
    static func sync(directoryURL: String, client: RosterClient) async throws -> Int64 {
        var connect = ConnectDirectoryRequest()
        connect.graphBaseURL = directoryURL
        let connected = try await client.connectDirectory(connect)
        guard connected.state == .authorized else {
            throw AbuseError("ConnectDirectory \(directoryURL) left the tenant \(connected.state), not AUTHORIZED")
        }
        var scope = SyncScope()
        scope.kind = .allUsers
        var request = StartSyncRequest()
        request.scope = scope
        request.forceFull = true
        request.acknowledgeRemovals = true
        _ = try await client.startSync(request)
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            let status = try await client.getStatus()
            if status.activeJob == nil {
                guard let job = status.lastFinishedJob, job.state == .succeeded else {
                    throw AbuseError(
                        "the sync did not succeed: \(status.lastFinishedJob.map { "\($0.state)" } ?? "no job")"
                    )
                }
                return status.contactCount
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw AbuseError("the sync did not finish within 600 s")
    }
}
