import Synchronization

/// What authd remembers so that a token check needs no storage read: the users last read,
/// up to a bound, least recently used first out; and every revoked token, the whole set
/// (revocations are few: each lives at most one token lifetime), so that a never-seen
/// token of a known user is answered from memory too.
///
/// A store keeps it true: it drops what it changes right after the change commits, and
/// PostgreSQL's store also applies what other instances announce. Every drop moves the
/// generation on, so that a read that began before a change cannot put its stale answer
/// back after the change dropped it. The revocation set is loaded from the storage (and
/// again after any gap in the announcements); until then, token checks read the storage.
public final class TokenStateCache: Sendable {
    /// Users remembered by default: about 64 MiB of memory (a user with its strings and
    /// links takes about 250 bytes).
    public static let defaultUsers = 250_000

    /// Counts for the metrics: token and user checks answered from memory, those that read
    /// the storage, and users dropped to make room.
    public struct Observer: Sendable {
        var hit: @Sendable () -> Void
        var miss: @Sendable () -> Void
        var evicted: @Sendable () -> Void

        public init(hit: @escaping @Sendable () -> Void, miss: @escaping @Sendable () -> Void,
                    evicted: @escaping @Sendable () -> Void) {
            self.hit = hit
            self.miss = miss
            self.evicted = evicted
        }

        public static let none = Observer(hit: {}, miss: {}, evicted: {})
    }

    private let state: Mutex<State>
    private let observer: Observer

    /// `limit` bounds the users remembered.
    public init(limit: Int = defaultUsers, observer: Observer = .none) {
        state = Mutex(State(limit: max(1, limit)))
        self.observer = observer
    }

    /// Take this before reading the storage, and pass it to `record`.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// How many users are remembered, and how many revoked tokens.
    public var counts: (users: Int, revocations: Int) { state.withLock { ($0.lru.count, $0.revoked.count) } }

    /// Remembers a state read from the storage, unless something changed since `generation`.
    public func record(jti: String, userID: Int64, user: StoredUser?, revoked: Bool, readAt generation: UInt64) {
        let evicted = state.withLock { s in
            guard s.generation == generation else { return false }
            if revoked { s.revoked.insert(jti) }
            return s.lru.set(userID, user, limit: s.limit)
        }
        if evicted { observer.evicted() }
    }

    /// Remembers a user read from the storage (nil: no such user), unless something
    /// changed since `generation`.
    public func record(userID: Int64, user: StoredUser?, readAt generation: UInt64) {
        let evicted = state.withLock { s in
            guard s.generation == generation else { return false }
            return s.lru.set(userID, user, limit: s.limit)
        }
        if evicted { observer.evicted() }
    }

    /// The remembered user: `.some(nil)` when it is known not to exist, nil when unknown.
    public func user(_ id: Int64) -> StoredUser?? {
        state.withLock { $0.lru.get(id) }
    }

    /// The user from memory when `useMemory` and it is known, else from `read`, which is
    /// then remembered (unless something changed while it ran).
    public func user(_ id: Int64, useMemory: Bool = true,
                     read: () async throws -> StoredUser?) async throws -> StoredUser? {
        if useMemory, let known = user(id) {
            observer.hit()
            return known
        }
        observer.miss()
        let generation = self.generation
        let found = try await read()
        record(userID: id, user: found, readAt: generation)
        return found
    }

    /// The token's state from memory when `useMemory` and it is known, else from `read`,
    /// which is then remembered (unless something changed while it ran).
    public func tokenState(jti: String, userID: Int64, useMemory: Bool = true,
                           read: () async throws -> (user: StoredUser?, revoked: Bool)) async throws -> (user: StoredUser?, revoked: Bool) {
        if useMemory, let known = lookup(jti: jti, userID: userID) { return known }
        observer.miss()
        let generation = self.generation
        let state = try await read()
        record(jti: jti, userID: userID, user: state.user, revoked: state.revoked, readAt: generation)
        return state
    }

    /// The remembered state: known when the user is, once the revocation set is loaded.
    public func lookup(jti: String, userID: Int64) -> (user: StoredUser?, revoked: Bool)? {
        let found: (user: StoredUser?, revoked: Bool)? = state.withLock { s in
            guard s.revocationsKnown, let user = s.lru.get(userID) else { return nil }
            return (user, s.revoked.contains(jti))
        }
        if found != nil { observer.hit() }
        return found
    }

    /// Whether the revocation set is loaded (else the store should load it: `beginLoadingRevocations`).
    public var revocationsKnown: Bool { state.withLock { $0.revocationsKnown } }

    /// Call before reading every revoked token from the storage; nil when the set is known
    /// already or another load is under way. Pass the answer to `finishLoadingRevocations`.
    public func beginLoadingRevocations() -> UInt64? {
        state.withLock { s in
            guard !s.revocationsKnown, !s.loading else { return nil }
            s.loading = true
            return s.epoch
        }
    }

    /// The revoked tokens the storage held when read; those revoked meanwhile are in the set
    /// already. Taken unless the set was emptied since `epoch` (a gap in the announcements).
    public func finishLoadingRevocations(_ jtis: [String]?, epoch: UInt64) {
        state.withLock { s in
            s.loading = false
            guard let jtis, s.epoch == epoch else { return }
            s.revoked.formUnion(jtis)
            s.revocationsKnown = true
        }
    }

    public func revoked(jti: String) {
        state.withLock { s in
            s.revoked.insert(jti)
            s.generation &+= 1
        }
    }

    /// Puts a user read again after another instance changed them in place of what was
    /// remembered, in one step, so that no check in between finds them missing; drops
    /// them instead when something changed since `generation`. Moves the generation on.
    public func replace(userID: Int64, user: StoredUser?, readAt generation: UInt64) {
        let evicted = state.withLock { s in
            defer { s.generation &+= 1 }
            guard s.generation == generation else {
                s.lru.remove(userID)
                return false
            }
            return s.lru.set(userID, user, limit: s.limit)
        }
        if evicted { observer.evicted() }
    }

    public func userChanged(_ id: Int64) {
        state.withLock { s in
            s.lru.remove(id)
            s.generation &+= 1
        }
    }

    /// Forgets the users remembered as not existing: an import may have made them.
    public func usersImported() {
        state.withLock { s in
            s.lru.removeAll { $0 == nil }
            s.generation &+= 1
        }
    }

    /// Revocations of expired tokens were purged from the storage: the set is loaded anew,
    /// so that it holds only the live ones.
    public func revocationsPurged() {
        state.withLock { s in
            s.forgetRevocations()
        }
    }

    /// Forgets everything (a gap in the announcements: anything may have changed).
    public func clear() {
        state.withLock { s in
            s.lru.removeAll { _ in true }
            s.forgetRevocations()
            s.generation &+= 1
        }
    }

    private struct State {
        let limit: Int
        var lru = UserLRU()
        var revoked: Set<String> = []
        var revocationsKnown = false
        var loading = false
        /// Moves on whenever the revocation set is emptied, so that a load begun before is not taken.
        var epoch: UInt64 = 0
        var generation: UInt64 = 0

        init(limit: Int) { self.limit = limit }

        mutating func forgetRevocations() {
            revoked.removeAll()
            revocationsKnown = false
            epoch &+= 1
        }
    }
}

/// Users by id, least recently used first out, in two flat arrays (no object per entry):
/// a slot per user, linked by index from the most to the least recently used.
struct UserLRU {
    private struct Slot {
        var id: Int64
        var user: StoredUser?
        var newer: Int32
        var older: Int32
    }

    private var index: [Int64: Int32] = [:]
    private var slots: [Slot] = []
    private var newest: Int32 = -1
    private var oldest: Int32 = -1

    var count: Int { slots.count }

    /// The user (`.some(nil)`: known not to exist), now the most recently used.
    mutating func get(_ id: Int64) -> StoredUser?? {
        guard let slot = index[id] else { return nil }
        touch(slot)
        return .some(slots[Int(slot)].user)
    }

    /// Sets a user, the most recently used; true when the least recently used made room.
    mutating func set(_ id: Int64, _ user: StoredUser?, limit: Int) -> Bool {
        if let slot = index[id] {
            slots[Int(slot)].user = user
            touch(slot)
            return false
        }
        var evicted = false
        if slots.count >= limit, oldest >= 0 {
            remove(slots[Int(oldest)].id)
            evicted = true
        }
        let slot = Int32(slots.count)
        slots.append(Slot(id: id, user: user, newer: -1, older: newest))
        if newest >= 0 { slots[Int(newest)].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
        index[id] = slot
        return evicted
    }

    mutating func remove(_ id: Int64) {
        guard let slot = index.removeValue(forKey: id) else { return }
        unlink(slot)
        // The last slot moves into the hole, so that the array stays dense.
        let last = Int32(slots.count - 1)
        if slot != last {
            let moved = slots[Int(last)]
            slots[Int(slot)] = moved
            if moved.newer >= 0 { slots[Int(moved.newer)].older = slot } else { newest = slot }
            if moved.older >= 0 { slots[Int(moved.older)].newer = slot } else { oldest = slot }
            index[moved.id] = slot
        }
        slots.removeLast()
    }

    mutating func removeAll(where shouldRemove: (StoredUser?) -> Bool) {
        for id in slots.filter({ shouldRemove($0.user) }).map(\.id) { remove(id) }
    }

    private mutating func touch(_ slot: Int32) {
        guard slot != newest else { return }
        unlink(slot)
        slots[Int(slot)].older = newest
        slots[Int(slot)].newer = -1
        if newest >= 0 { slots[Int(newest)].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }

    private mutating func unlink(_ slot: Int32) {
        let s = slots[Int(slot)]
        if s.newer >= 0 { slots[Int(s.newer)].older = s.older } else { newest = s.older }
        if s.older >= 0 { slots[Int(s.older)].newer = s.newer } else { oldest = s.newer }
        slots[Int(slot)].newer = -1
        slots[Int(slot)].older = -1
    }
}
