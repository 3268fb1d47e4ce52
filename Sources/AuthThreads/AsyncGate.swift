import Synchronization

/// Lets one task at a time through, the others waiting in order without holding a thread
/// (long writes that would otherwise queue inside the database's own lock, each holding a
/// pooled connection and timing out there).
public final class AsyncGate: Sendable {
    private struct State {
        var held = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    public init() {}

    public func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await body()
    }

    private func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { s in
                if s.held {
                    s.waiting.append(continuation)
                    return false
                }
                s.held = true
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    private func leave() {
        let next = state.withLock { s in
            if s.waiting.isEmpty {
                s.held = false
                return nil as CheckedContinuation<Void, Never>?
            }
            return s.waiting.removeFirst()
        }
        next?.resume()
    }
}
