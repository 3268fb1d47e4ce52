#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where users and revoked tokens live. Implementations run their blocking work
/// off the caller's thread and report outages as `AuthError.unavailable`.
public protocol UserStore: Sendable {
    /// A short name for `system.health` ("sqlite", "postgresql").
    var kind: String { get }

    /// Inserts a user; a username or email that is taken (case-insensitively)
    /// throws `AuthError.conflict` naming "username" first.
    func create(_ user: NewUser) async throws -> User
    func user(id: Int64) async throws -> StoredUser?
    /// Looks a user up by username or by email, case-insensitively.
    func user(username: String) async throws -> StoredUser?
    func user(email: String) async throws -> StoredUser?
    /// Up to `limit` users with an id greater than `afterID`, by id, and whether more follow.
    func list(afterID: Int64, limit: Int) async throws -> (users: [User], more: Bool)
    /// Applies the changes; nil when the user does not exist; conflicts as in `create`.
    func update(id: Int64, _ changes: UserChanges) async throws -> User?
    /// Replaces a hash only if it is still `old` (a re-hash on login must not undo a password change).
    func replaceHash(id: Int64, old: String, new: String) async throws
    func delete(id: Int64) async throws -> Bool

    /// Records a revoked token until it would have expired.
    func revoke(jti: String, expiresAt: Int64) async throws
    /// The token's user (if any) and whether the token was revoked, in one look-up.
    func tokenState(jti: String, userID: Int64) async throws -> (user: StoredUser?, revoked: Bool)
    /// The same from memory alone, without blocking: nil unless the store holds it and
    /// keeps it true right now (the caller then asks `tokenState`).
    func rememberedTokenState(jti: String, userID: Int64) -> (user: StoredUser?, revoked: Bool)?
    /// Forgets revocations of tokens that have expired anyway.
    func purgeRevocations(before: Int64) async throws

    /// Throws `AuthError.unavailable` when the storage cannot answer.
    func ping() async throws

    /// The latest `locked_until` among the keys (0 when none is locked).
    func lockedUntil(_ keys: [ThrottleKey]) async throws -> Int64
    /// Counts one failure, starting a new window when the last began `window` or more
    /// seconds before `now`; returns the failures in the current window.
    func recordFailure(_ key: ThrottleKey, now: Int64, window: Int64) async throws -> Int
    /// Locks the key until `until` (never shortening a longer lock).
    func lock(_ key: ThrottleKey, until: Int64) async throws
    func clearFailures(_ key: ThrottleKey) async throws
    func throttleState(_ key: ThrottleKey) async throws -> ThrottleState?
}

/// Turns passwords into crypt(5) strings and checks them.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, against hash: String) async throws -> Bool
    /// True when the hash was made with weaker settings than the configured ones.
    func needsRehash(_ hash: String) -> Bool
    /// A well-formed hash at the configured settings that no password matches, so that a
    /// login for an unknown user costs what a wrong password costs.
    var dummyHash: String { get }
    /// True when a hash is of a form this hasher can verify (checking may cost a hash).
    func canVerify(_ hash: String) async throws -> Bool
}

/// The claims of an access token, as flask-jwt-extended writes them.
public struct AccessClaims: Sendable, Equatable {
    public var sub: String
    public var jti: String
    public var type: String
    /// flask-jwt-extended writes a bool, or a timestamp until which the token is fresh.
    public var fresh: Fresh
    public var iat: Int64
    public var nbf: Int64
    public var exp: Int64

    public enum Fresh: Sendable, Equatable {
        case flag(Bool)
        case until(Double)
    }

    public init(sub: String, jti: String, type: String = "access", fresh: Fresh, iat: Int64, nbf: Int64, exp: Int64) {
        self.sub = sub
        self.jti = jti
        self.type = type
        self.fresh = fresh
        self.iat = iat
        self.nbf = nbf
        self.exp = exp
    }
}

/// Signs and checks access tokens.
public protocol TokenCodec: Sendable {
    func encode(_ claims: AccessClaims) -> String
    /// The claims of a token whose signature, algorithm, type and times are valid at `now`;
    /// nil for any token that is not.
    func decode(_ token: String, now: Int64) -> AccessClaims?
}

extension UserStore {
    /// A store that keeps nothing in memory.
    public func rememberedTokenState(jti: String, userID: Int64) -> (user: StoredUser?, revoked: Bool)? { nil }
}
