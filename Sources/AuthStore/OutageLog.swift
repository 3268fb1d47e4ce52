import Synchronization

/// Whether the database is lost, so that losing it and getting it back are each told
/// once per outage, however many requests meet it.
final class OutageLog: Sendable {
    /// What is told: the database was lost (with the error met), or is back.
    enum Change: Sendable {
        case lost(String)
        case back
    }

    private let state = Mutex<(isLost: Bool, report: (@Sendable (Change) -> Void)?)>((false, nil))

    func report(to report: @escaping @Sendable (Change) -> Void) {
        state.withLock { $0.report = report }
    }

    func lost(_ error: any Error) {
        let report = state.withLock { s -> (@Sendable (Change) -> Void)? in
            defer { s.isLost = true }
            return s.isLost ? nil : s.report
        }
        report?(.lost(String(describing: error)))
    }

    /// Cheap on the hot path: one lock, no allocation, while nothing is lost.
    func answered() {
        let report = state.withLock { s -> (@Sendable (Change) -> Void)? in
            defer { s.isLost = false }
            return s.isLost ? s.report : nil
        }
        report?(.back)
    }
}
