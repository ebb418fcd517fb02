import Foundation
import GraphTestDouble
import PostgresTestSupport
import RosterClient
import RosterWire
import Synchronization

// Part "postgres": rosterd replicas on a throwaway PostgreSQL cluster (initdb + pg_ctl of the
// installed PostgreSQL, as the tests start it):
// (a) a full sync of N users into PostgreSQL beside its floor, measured in the same run: curl
//     downloading the same pages + `psql \copy` of the very rows rosterd stored, in one transaction;
//     then the same sync again, forced full, into the tenant that now holds every contact;
// (b) GetContact (by mail) and ListContacts (pages of 100) throughput with one replica, then with
//     two on the same database;
// (c) the delay WatchProgress adds across replicas: the same job watched on A (where it runs) and
//     on B, each update's arrival on B minus its arrival on A;
// (d) failover: A SIGKILLed mid-fetch, the time until B's watcher gets INTERRUPTED (default lease).
extension SyncBench {
    func postgresPart() async throws {
        if let reason = PostgresCluster.unavailableReason { throw BenchError(reason) }
        let double = try await startDoubleOfSyncedUsers()
        try await PostgresCluster.shared.holding {
            let (_, first) = try await PostgresCluster.shared.createDatabase()  // starts the cluster
            let version = try await PostgresCluster.shared.psql("SHOW server_version", database: first)
            print(
                "### PostgreSQL \(version), a throwaway cluster on this machine (fsync, synchronous_commit, full_page_writes off)"
            )
            print("")
            let (a, b, key) = try await postgresFullSyncs(double)
            try await postgresReads(a: a, b: b, key: key)
            try await postgresWatchDelay(a: a, b: b, key: key)
            a.stop()
            b.stop()
            try await postgresFailover(double)
        }
        try await double.stop()
    }

    /// A new database of the cluster, as `--store` arguments.
    private func newStore() async throws -> (arguments: [String], database: String) {
        let (endpoint, database) = try await PostgresCluster.shared.createDatabase()
        return (["--store", "postgres://\(endpoint.user)@\(endpoint.host):\(endpoint.port)/\(database)"], database)
    }

    /// A replica on `store`; with `sharing`, B of A: the same master key.
    private func replica(_ store: [String], sharing other: Rosterd? = nil, extra: [String] = []) throws -> Rosterd {
        let server = Rosterd(binary: rosterd)
        server.storeArguments = store
        server.extraArguments = store + extra
        if let other {
            try FileManager.default.createDirectory(atPath: server.dataDirectory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: other.dataDirectory + "/master.key",
                toPath: server.dataDirectory + "/master.key"
            )
        }
        return server
    }

    // MARK: (a)

    /// Runs the full syncs and their floors; returns replicas A and B (both running) on the last
    /// run's database, with its admin key.
    private func postgresFullSyncs(_ double: GraphDouble) async throws -> (Rosterd, Rosterd, String) {
        let curl = try CurlFloor(base: double.baseURL, users: users)
        let work = NSTemporaryDirectory() + "roster-sync-bench-pg-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let rows = work + "/contacts.tsv"
        var full: [Double] = []
        var refull: [Double] = []
        var curlSeconds: [Double] = []
        var copySeconds: [Double] = []
        var last: (Rosterd, String)?
        for run in 1...runs {
            last?.0.stop()
            let (store, database) = try await newStore()
            let server = try replica(store)
            let key = try server.addTenant("bench")
            try server.start()
            let client = try server.client(key: key)
            _ = try await client.connectDirectory(connectRequest(double))
            try await photosOff(client)
            log("postgres run \(run): full sync of \(users)…")
            let outcome = try await timedSync(client, allUsersSync())
            guard outcome.final.summary?.totalContacts == Int64(users) else {
                throw BenchError("full sync into PostgreSQL: \(String(describing: outcome.final.summary))")
            }
            full.append(outcome.seconds)
            // The same directory again, forced full: staged, then applied into a tenant that
            // holds every contact already (nothing changes). No floor: the store writes nothing.
            log("postgres run \(run): forced full re-sync of \(users)…")
            let again = try await timedSync(client, allUsersSync(forceFull: true))
            guard again.final.summary?.totalContacts == Int64(users), again.final.summary?.updated == 0 else {
                throw BenchError("forced full re-sync into PostgreSQL: \(String(describing: again.final.summary))")
            }
            refull.append(again.seconds)
            await client.close()
            // The floor: the same rows, copied by psql into a table like rosterd's, indexes included.
            _ = try await PostgresCluster.shared.psql(
                "\\copy (SELECT * FROM contacts) TO '\(rows)'",
                database: database
            )
            _ = try await PostgresCluster.shared.psql(
                "CREATE SCHEMA floor; CREATE TABLE floor.contacts (LIKE public.contacts INCLUDING ALL)",
                database: database
            )
            curlSeconds.append(try curl.timedDownload())
            let start = clock.now
            _ = try await PostgresCluster.shared.psql("\\copy floor.contacts FROM '\(rows)'", database: database)
            copySeconds.append(secondsOf(clock.now - start))
            let copied = try await PostgresCluster.shared.psql(
                "SELECT count(*) FROM floor.contacts",
                database: database
            )
            guard copied == "\(users)" else { throw BenchError("psql copied \(copied) rows, expected \(users)") }
            last = (server, key)
        }
        let floor = zip(curlSeconds, copySeconds).map { $0 + $1 }
        print("#### (a) Full sync of \(grouped(users)) users into PostgreSQL beside curl + `psql \\copy`")
        print("")
        print("| | seconds: median (min–max) of \(runs) |")
        print("| --- | --- |")
        print("| rosterd full sync (StartSync → final message) | \(summary(full)) |")
        print("| floor: curl, the same \(curl.urls.count) pages | \(summary(curlSeconds)) |")
        print("| floor: `psql \\copy` of the same rows, one transaction | \(summary(copySeconds)) |")
        print("| floor total | \(summary(floor)) |")
        print("| **rosterd / floor** | **\(f(median(full) / median(floor), 2))x** |")
        print("| rosterd forced full re-sync, nothing changed (staged, then applied) | \(summary(refull)) |")
        print("")
        guard let (a, key) = last else { throw BenchError("no run") }
        let b = try replica(a.storeArguments, sharing: a)
        try b.start()
        return (a, b, key)
    }

    // MARK: (b)

    /// Calls per second over `seconds`, `concurrency` loops spread over the clients in turn.
    private func throughput(
        clients: [RosterClient],
        concurrency: Int,
        call: @escaping @Sendable (RosterClient, Int) async throws -> Void
    ) async throws -> Double {
        let deadline = clock.now.advanced(by: .milliseconds(Int(seconds * 1_000)))
        let calls = try await withThrowingTaskGroup(of: Int.self) { group in
            for loop in 0..<concurrency {
                let client = clients[loop % clients.count]
                group.addTask {
                    var count = 0
                    while clock.now < deadline {
                        try await call(client, loop * 7_919 + count)
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(calls) / seconds
    }

    private func postgresReads(a: Rosterd, b: Rosterd, key: String) async throws {
        let probe = try a.client(key: key)
        let mails = try await probe.listContacts(pageSize: 1_000).contacts.map(\.mail).filter { !$0.isEmpty }
        await probe.close()
        let calls: [(String, @Sendable (RosterClient, Int) async throws -> Void)] = [
            (
                "GetContact by mail",
                { client, index in _ = try await client.getContact(mail: mails[index % mails.count]) }
            ),
            ("ListContacts, a page of 100", { client, _ in _ = try await client.listContacts(pageSize: 100) }),
        ]
        print("#### (b) Reads at concurrency \(concurrency), \(f(seconds, 0)) s each, 4 connections")
        print("")
        print("| call | one replica (calls/s) | two replicas (calls/s) |")
        print("| --- | --- | --- |")
        for (name, call) in calls {
            var rates: [Double] = []
            for servers in [[a], [a, b]] {
                let clients = try (0..<4).map { try servers[$0 % servers.count].client(key: key) }
                _ = try await throughput(clients: clients, concurrency: concurrency, call: call)  // warm-up
                rates.append(try await throughput(clients: clients, concurrency: concurrency, call: call))
                for client in clients { await client.close() }
            }
            print("| \(name) | \(grouped(Int(rates[0]))) | \(grouped(Int(rates[1]))) |")
        }
        print("")
    }

    // MARK: (c)

    private func postgresWatchDelay(a: Rosterd, b: Rosterd, key: String) async throws {
        let onA = try a.client(key: key)
        let onB = try b.client(key: key)
        let started = try await onA.startSync(allUsersSync(forceFull: true))
        guard let job = started.job?.id else { throw BenchError("no job") }
        /// Arrival times of each update, keyed by what it says.
        func arrivals(_ client: RosterClient) async throws -> [String: ContinuousClock.Instant] {
            var seen: [String: ContinuousClock.Instant] = [:]
            for try await update in try await client.watchProgress(jobID: job) {
                let key = "\(update.state) \(update.phase) \(update.counters?.fetched ?? 0) \(update.throttleWaitMs)"
                if seen[key] == nil { seen[key] = clock.now }
            }
            return seen
        }
        async let onAArrivals = arrivals(onA)
        let onBArrivals = try await arrivals(onB)
        let atA = try await onAArrivals
        var delays: [Double] = []
        for (key, arrived) in onBArrivals {
            if let first = atA[key] { delays.append(secondsOf(arrived - first) * 1_000) }
        }
        let sorted = delays.sorted()
        await onA.close()
        await onB.close()
        guard !sorted.isEmpty else { throw BenchError("no update seen on both replicas") }
        let p95 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
        print("#### (c) WatchProgress across replicas: a full sync on A watched on A and on B")
        print("")
        print(
            "\(sorted.count) updates seen on both (of \(onBArrivals.count) on B); arrival on B minus arrival on A: "
                + "median \(f(median(sorted), 1)) ms, p95 \(f(p95, 1)) ms, max \(f(sorted.last ?? .nan, 1)) ms."
        )
        print("")
    }

    // MARK: (d)

    private func postgresFailover(_ double: GraphDouble) async throws {
        let (store, _) = try await newStore()
        let a = try replica(store)
        let key = try a.addTenant("bench")
        try a.start()
        let b = try replica(store, sharing: a)
        try b.start()
        let onA = try a.client(key: key)
        _ = try await onA.connectDirectory(connectRequest(double))
        try await photosOff(onA)
        double.inject([.throttle(retryAfter: 600)], pathPrefix: "/v1.0/users")
        let job = try await onA.startSync(allUsersSync()).job?.id ?? ""
        let onB = try b.client(key: key)
        var updates = try await onB.watchProgress(jobID: job).makeAsyncIterator()
        while let update = try await updates.next(), update.throttleWaitMs == 0 {}
        let killed = clock.now
        a.kill()
        var final: ProgressUpdate?
        while let update = try await updates.next() { final = update }
        let detected = secondsOf(clock.now - killed)
        await onA.close()
        await onB.close()
        b.stop()
        guard final?.state == .interrupted else { throw BenchError("B's watcher ended \(String(describing: final))") }
        print("#### (d) Failover: A SIGKILLed mid-fetch, default lease (10 s, renewed every 2 s)")
        print("")
        print("B's watcher got INTERRUPTED \(f(detected, 2)) s after the kill (bound: 12 s after A's last renewal).")
        print("")
    }
}
