import AuthCore
import Foundation
import Synchronization

/// An in-memory store for fuzzing only: the fuzzer targets parsing and validation,
/// and the real stores have their own tests against real databases.
final class FuzzStore: UserStore {
    let kind = "fuzz"
    private let users = Mutex<[Int64: StoredUser]>([:])
    /// Sessions by id, with whether each has ended: enough for the session methods'
    /// params and permission checks to be fuzzed.
    private let sessions = Mutex<[String: (session: Session, ended: Bool)]>([:])

    func create(_ new: NewUser) async throws -> User {
        try users.withLock { all in
            if all.values.contains(where: { $0.user.username.lowercased() == new.username.lowercased() }) { throw AuthError.conflict("username") }
            if all.values.contains(where: { $0.user.email.lowercased() == new.email.lowercased() }) { throw AuthError.conflict("email") }
            if all.count > 1000 { all.removeAll() }
            let user = User(id: Int64(all.count + 1), username: new.username, email: new.email, createdAt: new.createdAt)
            all[user.id] = StoredUser(user: user, passwordHash: new.passwordHash, tokensValidAfter: 0)
            return user
        }
    }

    /// Each row as a registration (ids are not kept: the fuzzer targets the rows' validation).
    func importUsers(_ rows: [NewUser], skipExisting: Bool, dryRun: Bool) async throws -> [ImportOutcome] {
        var outcomes: [ImportOutcome] = []
        for row in rows {
            do { outcomes.append(.imported(try await create(row))) } catch let error as AuthError { outcomes.append(.refused(error)) }
        }
        return outcomes
    }

    func user(id: Int64) async throws -> StoredUser? { users.withLock { $0[id] } }
    func user(username: String) async throws -> StoredUser? {
        users.withLock { $0.values.first { $0.user.username.lowercased() == username.lowercased() } }
    }
    func user(email: String) async throws -> StoredUser? {
        users.withLock { $0.values.first { $0.user.email.lowercased() == email.lowercased() } }
    }
    func storedUsers(afterID: Int64, limit: Int) async throws -> (users: [StoredUser], more: Bool) {
        let sorted = users.withLock { $0.values.filter { $0.user.id > afterID }.sorted { $0.user.id < $1.user.id } }
        return (Array(sorted.prefix(limit)), sorted.count > limit)
    }
    func list(afterID: Int64, limit: Int) async throws -> (users: [User], more: Bool) {
        let sorted = users.withLock { $0.values.map(\.user).filter { $0.id > afterID }.sorted { $0.id < $1.id } }
        return (Array(sorted.prefix(limit)), sorted.count > limit)
    }
    func update(id: Int64, _ changes: UserChanges) async throws -> User? {
        users.withLock { all in
            guard var u = all[id] else { return nil }
            if let n = changes.username { u.user.username = n }
            if let e = changes.email { u.user.email = e }
            if let h = changes.passwordHash { u.passwordHash = h }
            all[id] = u
            return u.user
        }
    }
    func replaceHash(id: Int64, old: String, new: String) async throws {}
    func delete(id: Int64) async throws -> Bool { users.withLock { $0.removeValue(forKey: id) != nil } }
    func revoke(jti: String, expiresAt: Int64) async throws {}
    func tokenState(jti: String, userID: Int64) async throws -> (user: StoredUser?, revoked: Bool) { (try await user(id: userID), false) }
    func purgeRevocations(before: Int64) async throws -> Int { 0 }
    func ping() async throws {}
    func reserveLogin(_ keys: [ThrottleKey], rules: LoginThrottle, now: Int64) async throws -> LoginReservation { .init(locks: []) }
    func completeLogin(_ user: StoredUser, keys: [ThrottleKey], rules: LoginThrottle, opening session: NewSession) async throws -> [String]? {
        sessions.withLock { all in
            if all.count > 1000 { all.removeAll() }
            all[session.session.id] = (session.session, false)
        }
        return []
    }
    func refresh(_ attempt: RefreshAttempt) async throws -> RefreshOutcome { .unknown }
    func endSession(id: String, userID: Int64?, reason: SessionEndReason, now: Int64) async throws -> Session? {
        sessions.withLock { all in
            guard let found = all[id], !found.ended, userID == nil || found.session.userID == userID else { return nil }
            all[id]?.ended = true
            return found.session
        }
    }
    func endSessions(userID: Int64, keeping: String?, reason: SessionEndReason, cutUnboundAt: Int64?, now: Int64) async throws -> Int {
        sessions.withLock { all in
            let ids = all.filter { $0.value.session.userID == userID && !$0.value.ended && $0.key != keeping }.map(\.key)
            for id in ids { all[id]?.ended = true }
            return ids.count
        }
    }
    func sessions(userID: Int64, now: Int64) async throws -> [Session] {
        sessions.withLock { all in all.values.filter { $0.session.userID == userID && !$0.ended }.map(\.session) }
    }
    func sessionByToken(hash: String, now: Int64, idleTimeout: Int64) async throws -> SessionLookup { .unknown }
    func session(id: String) async throws -> Session? { sessions.withLock { $0[id]?.session } }
    func sessionEnded(_ id: String) async throws -> Bool { sessions.withLock { $0[id]?.ended ?? false } }
    func releaseLogin(_ keys: [ThrottleKey], rules: LoginThrottle) async throws {}
    func throttleState(account id: Int64, now: Int64) async throws -> ThrottleState { .init(failures: 0, lockedUntil: 0) }
    func clearFailures(account id: Int64) async throws {}
    func disable(id: Int64, reason: String?, now: Int64, nowMilliseconds: Int64) async throws -> Int? {
        guard changeUser(id, { $0.disabledAt = now; $0.disabledReason = reason }) else { return nil }
        return try await endSessions(userID: id, keeping: nil, reason: .disabled, cutUnboundAt: nil, now: nowMilliseconds)
    }
    func enable(id: Int64) async throws -> Bool { changeUser(id) { $0.disabledAt = nil; $0.disabledReason = nil } }
    func setGroups(id: Int64, _ groups: [String]) async throws -> Bool { changeUser(id) { $0.groups = groups } }
    func lastLoginAt(id: Int64) async throws -> Int64? { nil }
    func storeResetToken(userID: Int64, hash: String, expiresAt: Int64) async throws {}
    func resetPassword(tokenHash: String, newPasswordHash: String, now: Int64, nowMilliseconds: Int64) async throws
        -> (user: StoredUser, sessionsEnded: Int)? { nil }

    /// TOTP factors by user: enough for the MFA methods' params, permission checks and
    /// code checks to be fuzzed; steps and challenges are judged by the real stores' tests.
    private let factors = Mutex<[Int64: TOTPFactor]>([:])
    func totp(userID: Int64) async throws -> TOTPFactor? { factors.withLock { $0[userID] } }
    func storePendingTOTP(userID: Int64, sealed: String, pendingUntil: Int64) async throws -> Bool {
        factors.withLock { all in
            if all[userID]?.confirmed == true { return false }
            all[userID] = TOTPFactor(sealed: sealed, confirmed: false, pendingUntil: pendingUntil, lastStep: nil)
            return true
        }
    }
    func confirmTOTP(userID: Int64, step: Int64, recoveryHashes: [String], keeping: String?, now: Int64, nowMilliseconds: Int64)
        async throws -> Int? {
        factors.withLock { all in
            guard var f = all[userID], !f.confirmed else { return nil }
            f.confirmed = true
            f.lastStep = step
            all[userID] = f
            return 0
        }
    }
    func claimTOTPStep(userID: Int64, step: Int64) async throws -> Bool {
        factors.withLock { all in
            guard var f = all[userID], f.confirmed, step > (f.lastStep ?? Int64.min) else { return false }
            f.lastStep = step
            all[userID] = f
            return true
        }
    }
    func regenerateRecoveryCodes(userID: Int64, step: Int64, hashes: [String]) async throws -> Bool {
        try await claimTOTPStep(userID: userID, step: step)
    }
    func removeTOTP(userID: Int64) async throws -> Bool { factors.withLock { $0.removeValue(forKey: userID) != nil } }
    func storeMFAChallenge(_ challenge: MFAChallenge, createdAt: Int64) async throws {}
    func mfaChallenge(hash: String, now: Int64) async throws -> MFAChallenge? { nil }
    func completeMFA(_ attempt: MFACompletion) async throws -> MFAOutcome { .unknownChallenge }
    func adoptMFAKeyFingerprint(_ fingerprint: String) async throws -> Bool { true }
    func factors(ofUsers ids: ClosedRange<Int64>) async throws -> [Int64: MovedFactor] { [:] }

    private func changeUser(_ id: Int64, _ change: (inout StoredUser) -> Void) -> Bool {
        users.withLock { all in
            guard all[id] != nil else { return false }
            change(&all[id]!)
            return true
        }
    }
}

/// A hasher for fuzzing only: no cost, the same interface.
struct FuzzHasher: PasswordHasher {
    let dummyHash = "fuzz$dummy"
    func hash(_ password: String) async throws -> String { "fuzz$" + password }
    func verify(_ password: String, against hash: String) async throws -> Bool { hash == "fuzz$" + password }
    func needsRehash(_ hash: String) -> Bool { false }
    func importRefusal(_ hash: String) -> String? { hash.hasPrefix("fuzz$") ? nil : "not a fuzz hash" }
}
