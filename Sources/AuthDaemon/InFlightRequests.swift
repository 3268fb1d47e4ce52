import Synchronization

/// Counts requests being worked on, so that shutdown can wait for them.
final class InFlightRequests: Sendable {
    private let count = Atomic<Int>(0)

    func begin() { count.add(1, ordering: .relaxed) }
    func end() { count.subtract(1, ordering: .relaxed) }
    var current: Int { count.load(ordering: .relaxed) }

    /// Waits until no request is in flight, or until `timeout` has passed.
    func drain(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while current > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}
