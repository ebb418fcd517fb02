import AsyncHTTPClient
import Foundation
import GraphTestDouble
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import RosterClient
import RosterRPC
import RosterWire
import Testing

/// `rosterd serve --metrics-listen`: Prometheus text scraped from a real server after real work.
/// The scenarios keep photos on (the default): turning them off is a call on connections of its
/// own, which the scrapes would count.
@Suite("Metrics, scraped from a real rosterd")
struct MetricsTests {
    @Test("a scrape after a throttled sync and refused calls counts each, and names no key, secret, tenant or person")
    func scrapeAfterWork() async throws {
        try await Scenario.run(serverArguments: ["--metrics-listen", "127.0.0.1:0"], photos: true) { scenario in
            let url = try #require(scenario.server.metricsURL, "the listening line names the metrics URL")
            // One throttled page: the directory asks to wait 0 s, the client retries.
            scenario.double.inject([.throttle(retryAfter: 0)], pathPrefix: "/v1.0/users")
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            let final = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            #expect(final.state == .succeeded)
            let stored = try await scenario.contactIDs(admin).count

            let reader = try scenario.client(scenario.acme.reader)
            await #expect(throws: RosterError.self) {
                try await reader.startSync(Scenario.request(Scenario.allUsers()))
            }
            // Made-up methods share the one `unknown` label: a client cannot add series.
            for name in ["NoSuchMethodA", "NoSuchMethodB"] {
                let method = UnaryMethod<GetStatusRequest, GetStatusResponse>(service: "roster.v1.Roster", name: name)
                await #expect(throws: RosterError.self) { try await admin.call(method, GetStatusRequest()) }
            }

            let scrape = try await Scrape.get(url)
            #expect(scrape.status == 200)
            #expect(scrape.contentType == "text/plain; version=0.0.4; charset=utf-8")
            let text = scrape.body
            let startSync = "method=\"/roster.v1.Roster/StartSync\""
            #expect(scrape.value("roster_rpc_calls_total{\(startSync),code=\"OK\"}") == 1)
            #expect(scrape.value("roster_rpc_calls_total{\(startSync),code=\"PERMISSION_DENIED\"}") == 1)
            #expect(scrape.value("roster_rpc_call_duration_seconds_count{\(startSync)}") == 2)
            #expect(scrape.value("roster_rpc_calls_total{method=\"unknown\",code=\"UNIMPLEMENTED\"}") == 2)
            #expect(!text.contains("NoSuchMethod"))
            #expect(scrape.value("roster_rpc_open_connections") == 2)  // admin's and reader's
            #expect(scrape.value("roster_sync_jobs_total{outcome=\"succeeded\"}") == 1)
            #expect(scrape.value("roster_sync_job_duration_seconds_count{outcome=\"succeeded\"}") == 1)
            #expect(scrape.value("roster_graph_requests_total{outcome=\"throttled\"}") == 1)
            #expect((scrape.value("roster_graph_requests_total{outcome=\"ok\"}") ?? 0) >= 3)  // token, users, groups
            #expect(scrape.value("roster_graph_throttle_wait_seconds_count") == 1)
            #expect(scrape.value("roster_contacts_stored") == Double(stored))
            #expect(stored > 0)

            // What labels may say: fixed names only.
            for secret in [
                scenario.acme.admin, scenario.acme.reader, "double-secret", "double-tenant", "roster-app", "acme",
            ] {
                #expect(!text.contains(secret), "the scrape contains \(secret)")
            }
            let mails = scenario.directory.users.compactMap { $0["mail"]?.string }
            let person = try #require(mails.first)
            #expect(!text.contains(person))
            #expect(Set(scrape.labelNames).isSubset(of: ["method", "code", "cause", "outcome", "le"]))
        }
    }

    @Test("--metrics-tenant-labels adds the tenant's id to job and contact metrics, and only there")
    func tenantLabels() async throws {
        try await Scenario.run(
            serverArguments: ["--metrics-listen", "127.0.0.1:0", "--metrics-tenant-labels"],
            photos: true
        ) {
            scenario in
            let url = try #require(scenario.server.metricsURL)
            let admin = try scenario.client(scenario.acme.admin)
            try await scenario.connect(admin)
            _ = try await scenario.sync(admin, Scenario.request(Scenario.allUsers()))
            let stored = try await scenario.contactIDs(admin).count
            let scrape = try await Scrape.get(url)
            #expect(scrape.value("roster_sync_jobs_total{outcome=\"succeeded\",tenant=\"acme\"}") == 1)
            #expect(scrape.value("roster_contacts_stored{tenant=\"acme\"}") == Double(stored))
            #expect(scrape.value("roster_contacts_stored{tenant=\"beta\"}") == 0)
            #expect(scrape.value("roster_contacts_stored") == nil)
        }
    }

    @Test("connections closed are counted by cause, and the endpoint answers only GET /metrics")
    func closesAndPaths() async throws {
        try await Scenario.run(serverArguments: ["--metrics-listen", "127.0.0.1:0"], photos: true) { scenario in
            let url = try #require(scenario.server.metricsURL)
            // Plain HTTP at the TLS port: the handshake fails, a transport error.
            await #expect(throws: (any Error).self) {
                _ = try await Scrape.get("http://127.0.0.1:\(scenario.server.port)/")
            }
            let client = try scenario.client(scenario.acme.reader)
            _ = try await client.getStatus()
            await client.close()

            let base = String(url.dropLast("/metrics".count))
            #expect(try await Scrape.get(base + "/other").status == 404)
            #expect(try await Scrape.get(url, method: .POST).status == 405)
            #expect(try await Scrape.get(url + "?name[]=x").status == 200)

            // A close is counted when the server notices it: poll.
            let scrape = try await eventually {
                try await Scrape.get(url)
            } until: {
                $0.value("roster_rpc_connections_closed_total{cause=\"peer_closed\"}") == 1
            }
            #expect(scrape.value("roster_rpc_connections_closed_total{cause=\"peer_closed\"}") == 1)
            #expect(scrape.value("roster_rpc_connections_closed_total{cause=\"transport_error\"}") == 1)
            #expect(scrape.value("roster_rpc_open_connections") == 0)
        }
    }

    @Test("without --metrics-listen nothing is served and the start line names no metrics URL")
    func offByDefault() async throws {
        try await Scenario.run { scenario in
            #expect(scenario.server.metricsURL == nil)
        }
    }
}

/// One answer of the metrics endpoint.
struct Scrape {
    var status: UInt
    var contentType: String?
    var body: String

    static func get(_ url: String, method: HTTPMethod = .GET) async throws -> Scrape {
        var request = HTTPClientRequest(url: url)
        request.method = method
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        return Scrape(
            status: response.status.code,
            contentType: response.headers.first(name: "Content-Type"),
            body: String(buffer: body)
        )
    }

    /// The sample lines: series (name and labels, as written) to value.
    var samples: [String: Double] {
        var samples: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// The value of one series, e.g. `roster_rpc_calls_total{method="…",code="OK"}`.
    func value(_ series: String) -> Double? { samples[series] }

    /// Every label name used in any series.
    var labelNames: [String] {
        samples.keys.flatMap { series -> [String] in
            guard let open = series.firstIndex(of: "{") else { return [] }
            return series[series.index(after: open)...].split(separator: ",").compactMap {
                $0.split(separator: "=").first.map(String.init)
            }
        }
    }
}
