import AuthInterface
import AuthThreads
import Prometheus
import Synchronization

/// The gateway's own metrics, `authd_gateway_*` so that they never meet authd's `authd_*`
/// names on `/metrics`: HTTP requests by route, method and status, latency per route, and
/// the calls and connections to authd. One registry per `Gateway`.
public final class GatewayMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let callsInFlight = Atomic<Int>(0)
    private let inFlightGauge: Gauge
    private let connectionsOpen: Gauge
    private let upstreamUp: Gauge

    /// HTTP latency: most answers take a millisecond or two, a login a bcrypt hash (about
    /// 250 ms at cost 12), a queue of logins seconds.
    static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
    ]

    static func name(_ subsystem: String, _ metric: String, _ unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "authd_gateway", subsystem: subsystem, metricName: metric, unitName: unit, helpText: help)
    }

    // Computed: the descriptor is not Sendable, so it cannot be a static constant.
    static var requests: MetricNameDescriptor { name("http", "requests", "total", help: "HTTP requests answered, by route, method and status.") }
    static var duration: MetricNameDescriptor { name("http", "request_duration", "seconds", help: "Time to answer an HTTP request, by route and method.") }
    static var calls: MetricNameDescriptor { name("upstream", "calls", "total", help: "Calls made to authd, by method.") }
    static var failures: MetricNameDescriptor { name(
        "upstream", "failures", "total",
        help: "Calls to authd that got no answer, by method and reason (unreachable or timeout); each is a 503.") }

    public init(poolSize: Int) {
        inFlightGauge = registry.makeGauge(descriptor: Self.name("upstream", "calls_in_flight", help: "Calls to authd awaiting an answer now."))
        connectionsOpen = registry.makeGauge(descriptor: Self.name("upstream", "connections_open", help: "Pooled connections to authd open now."))
        upstreamUp = registry.makeGauge(descriptor: Self.name("upstream", "up", help: "1 when authd answered system.metrics for this scrape, else 0."))
        registry.makeGauge(descriptor: Self.name("upstream", "connections_max", help: "Pooled connections to authd at most (--authd-connections)."))
            .set(Int64(poolSize))
    }

    /// One answered HTTP request. `route` is the router's pattern (`/api/users/{id}`), never
    /// the path a client sent, so that the number of series stays bounded.
    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        let labels = [("route", route), ("method", method)]
        requestCounters(RequestKey(route: route, method: method, status: status)) {
            registry.makeCounter(descriptor: Self.requests, labels: labels + [("status", String(status))])
        }.increment()
        durationHistograms(RequestKey(route: route, method: method, status: 0)) {
            registry.makeDurationHistogram(descriptor: Self.duration, labels: labels, buckets: Self.latencyBuckets)
        }.record(duration)
    }

    /// Handles made once per label set (the registry's look-up by labels is not cheap).
    private struct RequestKey: Hashable {
        var route: String
        var method: String
        var status: Int
    }
    private let requestCounters = Memo<RequestKey, Prometheus.Counter>()
    private let durationHistograms = Memo<RequestKey, DurationHistogram>()
    private let callCounters = Memo<RPCMethod, Prometheus.Counter>()

    func callStarted(_ method: RPCMethod) {
        callCounters(method) { registry.makeCounter(descriptor: Self.calls, labels: [("method", method.rawValue)]) }.increment()
        inFlightGauge.set(Int64(callsInFlight.add(1, ordering: .relaxed).newValue))
    }

    /// `failure` is nil when authd answered, with a result or an error of its own.
    func callEnded(_ method: RPCMethod, failure: String?) {
        inFlightGauge.set(Int64(callsInFlight.subtract(1, ordering: .relaxed).newValue))
        if let failure {
            registry.makeCounter(descriptor: Self.failures, labels: [("method", method.rawValue), ("reason", failure)]).increment()
        }
    }

    /// Prometheus text format 0.0.4, with the values only known at scrape time.
    func exposition(upstreamUp up: Bool, openConnections: Int) -> String {
        upstreamUp.set(Int64(up ? 1 : 0))
        connectionsOpen.set(Int64(openConnections))
        return registry.emitToString()
    }
}
