import AuthCore
import Synchronization

/// The last state read of each token and user, so that `auth.verify` can still
/// answer while PostgreSQL is unreachable. Kept true by the other instances'
/// notifications; emptied whenever the notification stream had a gap.
final class TokenStateCache: Sendable {
    private struct State {
        var users: [Int64: StoredUser?] = [:]
        var revoked: [String: Bool] = [:]
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int = 100_000) {
        self.limit = limit
    }

    func record(jti: String, userID: Int64, user: StoredUser?, revoked: Bool) {
        state.withLock { s in
            if s.users.count >= limit || s.revoked.count >= limit { s = State() }
            s.users[userID] = .some(user)
            s.revoked[jti] = revoked
        }
    }

    /// The remembered state, when both halves of it are known.
    func lookup(jti: String, userID: Int64) -> (user: StoredUser?, revoked: Bool)? {
        state.withLock { s in
            guard let user = s.users[userID], let revoked = s.revoked[jti] else { return nil }
            return (user, revoked)
        }
    }

    func revoked(jti: String) {
        state.withLock { $0.revoked[jti] = true }
    }

    func userChanged(_ id: Int64) {
        state.withLock { _ = $0.users.removeValue(forKey: id) }
    }

    func clear() {
        state.withLock { $0 = State() }
    }
}
