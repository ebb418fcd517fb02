internal import CoreMetrics
internal import Prometheus
internal import RosterRPC
internal import RosterStore
internal import RosterSync

/// The metrics of a server started with a ``RosterServerConfiguration/MetricsEndpoint``: every
/// layer counts through one swift-metrics factory over a Prometheus registry of this server's
/// own (nothing global, so two servers in one process keep apart), and each scrape renders it.
///
/// Labels never carry keys, secrets, request contents or people's data: methods, status codes,
/// causes and outcomes come from fixed sets; a tenant's id only with `tenantLabels`.
extension RosterServer {
    /// The factory over `registry`, with histogram buckets that suit what each one times.
    static func metricsFactory(_ registry: PrometheusCollectorRegistry) -> any MetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets = [
            // Calls: most take well under a millisecond on loopback; streams run for minutes.
            RPCMetrics.callDurationLabel: [
                .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1),
                .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
                .seconds(5), .seconds(10), .seconds(60),
            ],
            // Jobs: seconds for a small tenant, up to an hour for a throttled large one.
            JobManager.jobDurationLabel: [
                .seconds(1), .seconds(5), .seconds(15), .seconds(30), .seconds(60), .seconds(120), .seconds(300),
                .seconds(600), .seconds(1800), .seconds(3600),
            ],
            // Throttling waits: Retry-After is honoured up to 15 minutes.
            "roster_graph_throttle_wait_seconds": [
                .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
                .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(900),
            ],
        ]
        return factory
    }

    /// One scrape's body: the gauges of what is open and stored now are set first.
    static func exposition(
        registry: PrometheusCollectorRegistry,
        rpc: RPCServer,
        store: any Store,
        tenantLabels: Bool
    ) async -> [UInt8] {
        rpc.recordOpenGauges()
        let contactsStored = MetricNameDescriptor(
            metricName: "roster_contacts_stored",
            helpText: "Contacts in the store (per tenant with --metrics-tenant-labels)."
        )
        if let tenants = try? await store.tenants() {
            var total = 0
            for tenant in tenants {
                guard let count = try? await store.contactCount(tenant: tenant.id) else { continue }
                total += count
                if tenantLabels {
                    registry.makeGauge(descriptor: contactsStored, labels: [("tenant", tenant.id)]).set(
                        Double(count)
                    )
                }
            }
            if !tenantLabels { registry.makeGauge(descriptor: contactsStored).set(Double(total)) }
        }
        return registry.emitToBuffer()
    }
}

/// `--metrics-listen` names an address that cannot be bound.
struct MetricsListenError: Error, CustomStringConvertible {
    var host: String
    var port: Int
    var underlying: any Error

    var description: String {
        "cannot serve metrics on \(host):\(port): \(underlying); choose a free port for --metrics-listen, "
            + "or leave it out to serve no metrics"
    }
}
