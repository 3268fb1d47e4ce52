/// Runs one blocking call (a first connect, a migration) on a thread of its own,
/// so that it never occupies the cooperative pool.
public func onOwnThread<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        PosixThread.start(name: name) { continuation.resume(with: Result { try body() }) }
    }
}
