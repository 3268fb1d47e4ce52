import Synchronization

/// At most `width` tasks at a time per key, the others waiting in order without holding a
/// thread; a key with nobody inside or waiting takes no memory. `AuthService.login` uses it
/// so that attempts on one (account, client) pair beyond the width wait for those in flight
/// instead of being counted against the limit as failures.
final class KeyedGate: Sendable {
    private struct Entry {
        var inside = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let entries = Mutex<[String: Entry]>([:])

    func run<T: Sendable>(_ key: String, width: Int, _ body: () async throws -> T) async throws -> T {
        await enter(key, width: max(1, width))
        defer { leave(key) }
        return try await body()
    }

    /// Keys with someone inside or waiting (for tests).
    var busyKeys: Int { entries.withLock { $0.count } }

    private func enter(_ key: String, width: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = entries.withLock { entries in
                var entry = entries[key, default: Entry()]
                defer { entries[key] = entry }
                guard entry.inside < width else {
                    entry.waiting.append(continuation)
                    return false
                }
                entry.inside += 1
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    /// Hands the place to the first waiting, else gives it up.
    private func leave(_ key: String) {
        let next = entries.withLock { entries -> CheckedContinuation<Void, Never>? in
            guard var entry = entries[key] else { return nil }
            if entry.waiting.isEmpty {
                entry.inside -= 1
                entries[key] = entry.inside == 0 ? nil : entry
                return nil
            }
            let first = entry.waiting.removeFirst()
            entries[key] = entry
            return first
        }
        next?.resume()
    }
}
