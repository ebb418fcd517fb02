import Foundation
import RosterClient
import RosterRPC
import RosterWire

// Part 5 of the bench: many tenants syncing at the same moment.
extension SyncBench {
    // MARK: - 5: 1,000 tenants at once

    /// `tenants` tenants, each connected to the bundled demo directory, all start an all-users sync
    /// at the same moment; reports the time until the last one ended, rosterd's peak RSS, and
    /// checks that every job SUCCEEDED with the same number of contacts.
    func tenantsPart() async throws {
        let server = Rosterd(binary: rosterd)
        server.extraArguments = ["--max-running-syncs", "\(maxRunningSyncs)"]
        log("adding \(tenants) tenants…")
        var keys: [String] = []
        for index in 0..<tenants { keys.append(try server.addTenant(String(format: "t%04d", index))) }
        try server.start()
        defer { server.stop() }
        log("connecting \(tenants) tenants to the demo directory…")
        let clients = try keys.map { try server.client(key: $0) }
        var connect = ConnectDirectoryRequest()
        connect.graphBaseURL = "demo:"
        for client in clients {
            _ = try await client.connectDirectory(connect)
            try await photosOff(client)
        }
        try await Task.sleep(for: .milliseconds(500))
        let before = server.rssKiB()
        _ = server.resetPeak()
        let sampler = RSSSampler(pid: server.pid)
        let cpu0 = server.cpuSeconds()
        log("\(tenants) syncs at once…")
        let start = clock.now
        let outcomes = try await withThrowingTaskGroup(of: (state: JobState, queued: Bool, contacts: Int64).self) {
            group in
            for client in clients {
                group.addTask {
                    let started = try await client.startSync(allUsersSync())
                    guard let job = started.job else { throw BenchError("no job") }
                    var final: ProgressUpdate?
                    var queued = false
                    for try await update in try await client.watchProgress(jobID: job.id) {
                        if update.state == .queued, update.message.hasPrefix("queued:") { queued = true }
                        if update.final { final = update }
                    }
                    let status = try await client.getStatus()
                    return (final?.state ?? .unspecified, queued, status.contactCount)
                }
            }
            var all: [(state: JobState, queued: Bool, contacts: Int64)] = []
            for try await outcome in group { all.append(outcome) }
            return all
        }
        let seconds = secondsOf(clock.now - start)
        let (peakKiB, samples) = sampler.stop()
        let hwm = server.hwmKiB()
        let cpu = server.cpuSeconds() - cpu0
        for client in clients { await client.close() }
        let succeeded = outcomes.filter { $0.state == .succeeded }.count
        let contactCounts = Set(outcomes.map(\.contacts))
        let queued = outcomes.filter(\.queued).count
        print(
            """

            ### (5) \(grouped(tenants)) tenants syncing the demo directory at the same moment

            | measure | value |
            | --- | --- |
            | `--max-running-syncs` | \(maxRunningSyncs) |
            | jobs SUCCEEDED | \(grouped(succeeded)) of \(grouped(tenants)) |
            | contacts per tenant after the sync | \(contactCounts.sorted().map { grouped(Int($0)) }.joined(separator: ", ")) |
            | jobs that showed their place in line (QUEUED) | \(grouped(queued)) |
            | time from the first StartSync to the last final message | \(f(seconds, 1)) s |
            | rosterd RSS before | \(grouped(before / 1024)) MiB |
            | rosterd peak RSS (sampled every 50 ms, \(samples) samples; VmHWM) | \(grouped(peakKiB / 1024)) MiB (\(grouped(hwm / 1024)) MiB) |
            | rosterd CPU during the syncs | \(f(cpu, 1)) s |
            """
        )
    }
}
