import AuthCore
import Foundation
import Synchronization

/// An in-memory store for fuzzing only: the fuzzer targets parsing and validation,
/// and the real stores have their own tests against real databases.
final class FuzzStore: UserStore {
    let kind = "fuzz"
    private let users = Mutex<[Int64: StoredUser]>([:])

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

    func user(id: Int64) async throws -> StoredUser? { users.withLock { $0[id] } }
    func user(username: String) async throws -> StoredUser? {
        users.withLock { $0.values.first { $0.user.username.lowercased() == username.lowercased() } }
    }
    func user(email: String) async throws -> StoredUser? {
        users.withLock { $0.values.first { $0.user.email.lowercased() == email.lowercased() } }
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
    func purgeRevocations(before: Int64) async throws {}
    func ping() async throws {}
    func lockedUntil(_ keys: [ThrottleKey]) async throws -> Int64 { 0 }
    func recordFailure(_ key: ThrottleKey, now: Int64, window: Int64) async throws -> Int { 1 }
    func lock(_ key: ThrottleKey, until: Int64) async throws {}
    func clearFailures(_ key: ThrottleKey) async throws {}
    func throttleState(_ key: ThrottleKey) async throws -> ThrottleState? { nil }
}

/// A hasher for fuzzing only: no cost, the same interface.
struct FuzzHasher: PasswordHasher {
    let dummyHash = "fuzz$dummy"
    func hash(_ password: String) async throws -> String { "fuzz$" + password }
    func verify(_ password: String, against hash: String) async throws -> Bool { hash == "fuzz$" + password }
    func needsRehash(_ hash: String) -> Bool { false }
    func canVerify(_ hash: String) async throws -> Bool { hash.hasPrefix("fuzz$") }
}
