import Synchronization

/// Values made once per key and shared by every thread: metric handles, which a
/// registry otherwise looks up by name and labels on every request.
public final class Memo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let values = Mutex<[Key: Value]>([:])

    public init() {}

    public func callAsFunction(_ key: Key, make: () -> Value) -> Value {
        values.withLock { values in
            if let value = values[key] { return value }
            let value = make()
            values[key] = value
            return value
        }
    }
}
