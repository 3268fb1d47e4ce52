import Synchronization

/// Counters for `system.metrics`, in Prometheus text format.
public final class RequestMetrics: Sendable {
    private struct Key: Hashable {
        let method: String
        let outcome: Int
    }

    private let requests = Mutex<[Key: Int]>([:])
    private let openConnections = Atomic<Int>(0)

    public init() {}

    func record(method: String, outcome: Int) {
        requests.withLock { $0[Key(method: method, outcome: outcome), default: 0] += 1 }
    }

    func connectionOpened() -> Int { openConnections.add(1, ordering: .relaxed).newValue }
    func connectionClosed() { openConnections.subtract(1, ordering: .relaxed) }
    var connections: Int { openConnections.load(ordering: .relaxed) }

    func exposition() -> String {
        var out = "# HELP authd_requests_total JSON-RPC requests by method and outcome (0 = success, else the error code).\n"
        out += "# TYPE authd_requests_total counter\n"
        let snapshot = requests.withLock { $0 }
        for (key, count) in snapshot.sorted(by: { ($0.key.method, $0.key.outcome) < ($1.key.method, $1.key.outcome) }) {
            out += "authd_requests_total{method=\"\(key.method)\",outcome=\"\(key.outcome)\"} \(count)\n"
        }
        out += "# HELP authd_connections_open Client connections open now.\n# TYPE authd_connections_open gauge\n"
        out += "authd_connections_open \(connections)\n"
        return out
    }
}
