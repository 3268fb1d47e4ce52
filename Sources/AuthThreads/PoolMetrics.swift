import CoreMetrics

/// What a `WorkerPool` reports through swift-metrics, labelled with the pool's name:
/// how many jobs wait, how many threads are busy, how long a job waited for a
/// thread, and how many were turned away. Without a bootstrapped backend these
/// are swift-metrics' no-ops.
public struct PoolMetrics: Sendable {
    /// The buckets the wait histogram needs: SQLite waits are microseconds, a queue of
    /// bcrypt hashes is seconds.
    public static let waitBuckets: [Duration] = [
        .microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(25),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// The wait histogram's name, for a backend that sets buckets per metric.
    public static let waitLabel = "authd_pool_wait_seconds"

    private let queued: Gauge
    private let busy: Gauge
    private let wait: CoreMetrics.Timer
    private let rejected: Counter

    init(pool: String, threads: Int) {
        let dimensions = [("pool", pool)]
        Gauge(label: "authd_pool_threads", dimensions: dimensions).record(threads)
        queued = Gauge(label: "authd_pool_queued", dimensions: dimensions)
        busy = Gauge(label: "authd_pool_busy", dimensions: dimensions)
        wait = CoreMetrics.Timer(label: Self.waitLabel, dimensions: dimensions)
        rejected = Counter(label: "authd_pool_rejected_total", dimensions: dimensions)
    }

    /// Called with the pool's lock held, so that the gauges follow the real order of events.
    func changed(queued: Int, busy: Int) {
        self.queued.record(queued)
        self.busy.record(busy)
    }

    func waited(nanoseconds: UInt64) { wait.recordNanoseconds(Int64(clamping: nanoseconds)) }
    func turnedAway() { rejected.increment() }
}
