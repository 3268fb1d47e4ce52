import AuthCore
import AuthInterface
import AuthThreads
import CoreMetrics
import Prometheus
import Synchronization

/// The daemon's metrics in a Prometheus registry, served as text by `system.metrics`:
/// requests by method and outcome, latency per method, login failures, throttled
/// attempts, auth events, open connections. The thread pools (password hashing,
/// storage) report into the same registry through swift-metrics once
/// `bootstrapMetricsSystem()` has made it the process's backend.
public final class RequestMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let openConnections = Atomic<Int>(0)
    private let connectionsGauge: Prometheus.Gauge
    private let refused: Prometheus.Counter
    private let loginFailures: Prometheus.Counter
    private let throttled: Prometheus.Counter

    /// Latency buckets: a token check takes well under a millisecond, a bcrypt hash at
    /// cost 12 about 250 ms, a queue of them seconds.
    static let latencyBuckets: [Duration] = [
        .microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
        .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        connectionsGauge = registry.makeGauge(name: "authd_connections_open", help: "Client connections open now.")
        refused = registry.makeCounter(
            name: "authd_connections_refused_total", help: "Connections refused: max_connections, a uid's share or the reserve were taken.")
        loginFailures = registry.makeCounter(
            name: "authd_login_failures_total", help: "auth.login calls answered -32001 (bad credentials).")
        throttled = registry.makeCounter(
            name: "authd_throttled_total", help: "Calls answered -32029 (too many attempts).")
        var byMethod: [RPCMethod: MethodHandles] = [:]
        for method in RPCMethod.allCases {
            byMethod[method] = MethodHandles(
                succeeded: Self.requestCounter(registry, method.rawValue, outcome: 0),
                duration: Self.durationHistogram(registry, method.rawValue))
        }
        self.byMethod = byMethod
    }

    /// Each method's success counter and latency histogram, made up front: the request
    /// path finds them by the method's enum, with no lock and no string hashing.
    private struct MethodHandles: Sendable {
        let succeeded: Prometheus.Counter
        let duration: DurationHistogram
    }
    private let byMethod: [RPCMethod: MethodHandles]

    private static func requestCounter(_ registry: PrometheusCollectorRegistry, _ method: String, outcome: Int) -> Prometheus.Counter {
        registry.makeCounter(
            name: "authd_requests_total", labels: [("method", method), ("outcome", String(outcome))],
            help: "JSON-RPC requests by method and outcome (0 = success, else the error code).")
    }

    private static func durationHistogram(_ registry: PrometheusCollectorRegistry, _ method: String) -> DurationHistogram {
        registry.makeDurationHistogram(
            name: "authd_request_duration_seconds", labels: [("method", method)], buckets: latencyBuckets,
            help: "Time from a parsed request to its answer, by method.")
    }

    /// The registry's handles per method and outcome, made once: asking the registry
    /// for them by name and labels on every request cost more than the request.
    private struct Key: Hashable {
        var method: String
        var outcome: Int
    }
    private let counters = Memo<Key, Prometheus.Counter>()
    private let histograms = Memo<String, DurationHistogram>()

    /// One answered call of a known method: `outcome` is 0 for success, else the error code.
    func record(method: RPCMethod, outcome: Int, duration: Duration) {
        guard outcome == 0, let handles = byMethod[method] else {
            return record(method: method.rawValue, outcome: outcome, duration: duration)
        }
        handles.succeeded.increment()
        handles.duration.record(duration)
    }

    /// One answered call: `method` is "unknown" for a method not found, "-" for a request
    /// that could not be read.
    func record(method: String, outcome: Int, duration: Duration? = nil) {
        counters(Key(method: method, outcome: outcome)) { Self.requestCounter(registry, method, outcome: outcome) }.increment()
        if let duration {
            histograms(method) { Self.durationHistogram(registry, method) }.record(duration)
        }
        if method == RPCMethod.login.rawValue, outcome == -32001 { loginFailures.increment() }
        if outcome == -32029 { throttled.increment() }
    }

    /// One audit event (register, login_ok, login_failed, lockout, …).
    func record(event: String) {
        registry.makeCounter(
            name: "authd_auth_events_total", labels: [("event", event)], help: "Audit events by kind."
        ).increment()
    }

    /// Sessions opened and ended (by reason), and refreshes by outcome.
    func record(sessions activity: SessionActivity) {
        switch activity {
        case .opened:
            registry.makeCounter(name: "authd_sessions_opened_total", help: "Sessions opened by a login.").increment()
        case .ended(let reason, let count):
            registry.makeCounter(name: "authd_sessions_ended_total", labels: [("reason", reason.rawValue)],
                                 help: "Sessions ended, by reason (expired ones counted when purged).").increment(by: Int64(count))
        case .refreshed(let outcome):
            registry.makeCounter(name: "authd_refreshes_total", labels: [("outcome", outcome.rawValue)],
                                 help: "auth.refresh calls by outcome.").increment()
        }
    }

    /// Counts a connection admitted (see `ConnectionSlots` for who is).
    func connectionOpened() {
        connectionsGauge.set(Int64(openConnections.add(1, ordering: .relaxed).newValue))
    }

    func connectionClosed() {
        connectionsGauge.set(Int64(openConnections.subtract(1, ordering: .relaxed).newValue))
    }

    func connectionRefused() { refused.increment() }

    var connections: Int { openConnections.load(ordering: .relaxed) }

    /// Prometheus text format 0.0.4.
    func exposition() -> String { registry.emitToString() }
}

extension RequestMetrics {
    /// The process's metrics: the ones `Daemon.run` serves.
    public static let shared = RequestMetrics()

    /// Makes `shared`'s registry swift-metrics' backend, once per process, so that the
    /// thread pools created afterwards report into it.
    public static func bootstrapMetricsSystem() { _ = bootstrapped }

    private static let bootstrapped: Void = {
        var factory = PrometheusMetricsFactory(registry: shared.registry)
        factory.durationHistogramBuckets[PoolMetrics.waitLabel] = PoolMetrics.waitBuckets
        MetricsSystem.bootstrap(factory)
    }()
}
