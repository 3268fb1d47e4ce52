import Synchronization

/// The last state read of each token and user, so that a token check does not go to
/// the storage every time. A store keeps it true: it drops what it changes right
/// after the change commits, and PostgreSQL's store also drops what other instances
/// announce. Every drop moves the generation on, so that a read that began before a
/// change cannot put its stale answer back after the change dropped it.
public final class TokenStateCache: Sendable {
    private struct State {
        var users: [Int64: StoredUser?] = [:]
        var revoked: [String: Bool] = [:]
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    private let limit: Int

    /// `limit` bounds the users and the tokens remembered; past it the cache starts over.
    public init(limit: Int = 50_000) {
        self.limit = limit
    }

    /// Take this before reading the storage, and pass it to `record`.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Remembers a state read from the storage, unless something changed since `generation`.
    public func record(jti: String, userID: Int64, user: StoredUser?, revoked: Bool, readAt generation: UInt64) {
        state.withLock { s in
            guard s.generation == generation else { return }
            if s.users.count >= limit || s.revoked.count >= limit {
                s.users.removeAll()
                s.revoked.removeAll()
            }
            s.users[userID] = .some(user)
            s.revoked[jti] = revoked
        }
    }

    /// Remembers a user read from the storage (nil: no such user), unless something
    /// changed since `generation`.
    public func record(userID: Int64, user: StoredUser?, readAt generation: UInt64) {
        state.withLock { s in
            guard s.generation == generation else { return }
            if s.users.count >= limit { s.users.removeAll() }
            s.users[userID] = .some(user)
        }
    }

    /// The remembered user: `.some(nil)` when it is known not to exist, nil when unknown.
    public func user(_ id: Int64) -> StoredUser?? {
        state.withLock { $0.users[id] }
    }

    /// The user from memory when `useMemory` and it is known, else from `read`, which is
    /// then remembered (unless something changed while it ran).
    public func user(_ id: Int64, useMemory: Bool = true,
                     read: () async throws -> StoredUser?) async throws -> StoredUser? {
        if useMemory, let known = user(id) { return known }
        let generation = self.generation
        let found = try await read()
        record(userID: id, user: found, readAt: generation)
        return found
    }

    /// The token's state from memory when `useMemory` and both halves are known, else
    /// from `read`, which is then remembered (unless something changed while it ran).
    public func tokenState(jti: String, userID: Int64, useMemory: Bool = true,
                           read: () async throws -> (user: StoredUser?, revoked: Bool)) async throws -> (user: StoredUser?, revoked: Bool) {
        if useMemory, let known = lookup(jti: jti, userID: userID) { return known }
        let generation = self.generation
        let state = try await read()
        record(jti: jti, userID: userID, user: state.user, revoked: state.revoked, readAt: generation)
        return state
    }

    /// The remembered state, when both halves of it are known.
    public func lookup(jti: String, userID: Int64) -> (user: StoredUser?, revoked: Bool)? {
        state.withLock { s in
            guard let user = s.users[userID], let revoked = s.revoked[jti] else { return nil }
            return (user, revoked)
        }
    }

    public func revoked(jti: String) {
        state.withLock { s in
            s.revoked[jti] = true
            s.generation &+= 1
        }
    }

    public func userChanged(_ id: Int64) {
        state.withLock { s in
            s.users.removeValue(forKey: id)
            s.generation &+= 1
        }
    }

    public func clear() {
        state.withLock { s in
            s.users.removeAll()
            s.revoked.removeAll()
            s.generation &+= 1
        }
    }
}
