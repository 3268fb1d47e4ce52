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
    /// The same with each user's hash, for export.
    func storedUsers(afterID: Int64, limit: Int) async throws -> (users: [StoredUser], more: Bool)
    /// Applies the changes; nil when the user does not exist; conflicts as in `create`.
    /// A new password hash also voids the user's reset token.
    func update(id: Int64, _ changes: UserChanges) async throws -> User?
    /// Replaces a hash only if it is still `old` (a re-hash on login must not undo a password change).
    func replaceHash(id: Int64, old: String, new: String) async throws
    func delete(id: Int64) async throws -> Bool
    /// Inserts valid rows in one transaction, each keeping its `id` when it has one; a row
    /// that clashes (username, email, or an id that is or was a user's) is refused alone,
    /// and with `skipExisting` one already there with the same email and hash is skipped.
    /// Later registrations get ids above every id imported. A `dryRun` answers the same
    /// and rolls back.
    func importUsers(_ rows: [NewUser], skipExisting: Bool, dryRun: Bool) async throws -> [ImportOutcome]

    /// Records a revoked token until it would have expired.
    func revoke(jti: String, expiresAt: Int64) async throws
    /// The token's user (if any) and whether the token was revoked, in one look-up.
    func tokenState(jti: String, userID: Int64) async throws -> (user: StoredUser?, revoked: Bool)
    /// The same from memory alone, without blocking: nil unless the store holds it and
    /// keeps it true right now (the caller then asks `tokenState`).
    func rememberedTokenState(jti: String, userID: Int64) -> (user: StoredUser?, revoked: Bool)?
    /// Forgets revocations of tokens that have expired anyway, and sessions that expired
    /// or ended whose access tokens have all expired; returns how many of those expired.
    @discardableResult
    func purgeRevocations(before: Int64) async throws -> Int

    /// Settles one presented refresh token atomically (on PostgreSQL under its session
    /// row's lock): a rotation, a retry of the last one, or reuse that ends the session.
    func refresh(_ attempt: RefreshAttempt) async throws -> RefreshOutcome
    /// Ends the user's active session `id` (any user's when `userID` is nil); nil when
    /// there is no such active session.
    func endSession(id: String, userID: Int64?, reason: SessionEndReason, now: Int64) async throws -> Session?
    /// Ends every active session of the user except `keeping`, and with `cutUnboundAt`
    /// (seconds) every token of the user without a session issued until then; returns
    /// how many sessions ended.
    func endSessions(userID: Int64, keeping: String?, reason: SessionEndReason, cutUnboundAt: Int64?, now: Int64) async throws -> Int
    /// The user's active sessions, most recently used first.
    func sessions(userID: Int64, now: Int64) async throws -> [Session]
    /// The session a session token (by its hash) belongs to: active, or why it is not;
    /// its use moves `last_used_at` at most once a minute.
    func sessionByToken(hash: String, now: Int64, idleTimeout: Int64) async throws -> SessionLookup
    /// The session `id` in whatever state it is, while its row is kept.
    func session(id: String) async throws -> Session?
    /// Whether the session has ended (revoked, not expired), from the storage.
    func sessionEnded(_ id: String) async throws -> Bool
    /// The same from memory alone; nil unless memory is true right now.
    func rememberedSessionEnded(_ id: String) -> Bool?

    /// Disables the user (contract §8) in one transaction: records when and why, makes
    /// every token issued until `now` void, ends every session and voids the reset token;
    /// returns how many sessions ended, nil when there is no such user.
    func disable(id: Int64, reason: String?, now: Int64, nowMilliseconds: Int64) async throws -> Int?
    /// Enables the user again; false when there is no such user. Nothing old revives.
    func enable(id: Int64) async throws -> Bool
    /// Replaces the user's groups (sorted, validated); false when there is no such user.
    func setGroups(id: Int64, _ groups: [String]) async throws -> Bool
    /// The user's last successful login (seconds), read from the storage.
    func lastLoginAt(id: Int64) async throws -> Int64?
    /// Makes `hash` the user's one valid reset token until `expiresAt` (seconds),
    /// replacing any older one.
    func storeResetToken(userID: Int64, hash: String, expiresAt: Int64) async throws
    /// Spends the reset token with this hash, if it is valid at `now`, and in the same
    /// transaction sets the password: every token of the user issued until `now` is void
    /// and every session ends. Nil (nothing changed) for an unknown, spent or expired
    /// token; of two uses at once, one gets the user.
    func resetPassword(tokenHash: String, newPasswordHash: String, now: Int64, nowMilliseconds: Int64) async throws -> (user: StoredUser, sessionsEnded: Int)?

    /// Throws `AuthError.unavailable` when the storage cannot answer.
    func ping() async throws

    // Second factors (contract §9).
    /// The user's TOTP factor, confirmed or pending; nil when none.
    func totp(userID: Int64) async throws -> TOTPFactor?
    /// Makes `sealed` the user's pending TOTP secret until `pendingUntil`, replacing a
    /// pending one; false, changing nothing, when a confirmed factor exists.
    func storePendingTOTP(userID: Int64, sealed: String, pendingUntil: Int64) async throws -> Bool
    /// In one transaction: confirms the pending factor at `step` (while it is pending at
    /// `now`, seconds, and `step` is above any step accepted), makes `recoveryHashes` the
    /// recovery codes, ends the user's sessions but `keeping` (whose amr becomes pwd and
    /// otp) and voids their tokens without a session issued until `now`. Returns how many
    /// sessions ended; nil, changing nothing, when there was nothing to confirm.
    func confirmTOTP(userID: Int64, step: Int64, recoveryHashes: [String], keeping: String?, now: Int64, nowMilliseconds: Int64)
        async throws -> Int?
    /// Claims `step` for the user's confirmed factor: true only when it is above the highest
    /// step accepted, which it becomes. Of two claims of one step, on any instances, one wins.
    func claimTOTPStep(userID: Int64, step: Int64) async throws -> Bool
    /// Claims `step` as `claimTOTPStep` does and, in the same transaction, replaces the
    /// recovery codes; false, changing nothing, when the claim fails.
    func regenerateRecoveryCodes(userID: Int64, step: Int64, hashes: [String]) async throws -> Bool
    /// Removes the user's factor and recovery codes; false when there was no factor.
    func removeTOTP(userID: Int64) async throws -> Bool
    /// Records a login waiting for its second factor.
    func storeMFAChallenge(_ challenge: MFAChallenge, createdAt: Int64) async throws
    /// The challenge with this token hash while it is valid at `now` (seconds).
    func mfaChallenge(hash: String, now: Int64) async throws -> MFAChallenge?
    /// Settles one `auth.mfa` atomically: under the challenge's lock, a presentation from
    /// another client or a wrong proof counts against the challenge (which dies at
    /// `maxWrongCodes`); a right one claims its step or spends its recovery code, spends
    /// the challenge and, while the user is enabled and has not changed their password
    /// since the challenge began, completes the login as `completeLogin` does.
    func completeMFA(_ attempt: MFACompletion) async throws -> MFAOutcome
    /// The confirmed TOTP factors (as stored) of the users with ids in `ids`, for export.
    func factors(ofUsers ids: ClosedRange<Int64>) async throws -> [Int64: MovedFactor]
    /// Records the MFA key's fingerprint when the database has none; false when it holds
    /// another (the instance was given a different key).
    func adoptMFAKeyFingerprint(_ fingerprint: String) async throws -> Bool

    /// Counts one attempt against every key before its hash is spent, atomically: throws
    /// `LoginRefused` (counting nothing) when a key is locked, and locks each key the
    /// attempt brings to its limit. A key's window starts anew once `window` has passed.
    func reserveLogin(_ keys: [ThrottleKey], rules: LoginThrottle, now: Int64) async throws -> LoginReservation
    /// Completes a login whose password matched `user`'s hash: true, releasing the
    /// attempt (its pair's count cleared, the others' reservation taken back), only while
    /// the user still has that hash and `tokens_valid_after`; false when either changed
    /// since `user` was read, and then the attempt stays counted.
    /// The same transaction opens `session` (ending the user's least recently used sessions
    /// past its cap): it returns the ids of the sessions the cap ended, nil when refused.
    func completeLogin(_ user: StoredUser, keys: [ThrottleKey], rules: LoginThrottle, opening session: NewSession) async throws -> [String]?
    /// Takes back an attempt that spent no hash (the hashing pool was full), with any
    /// lock it set.
    func releaseLogin(_ keys: [ThrottleKey], rules: LoginThrottle) async throws
    /// The account-wide failures, and its lock while it holds at `now`, else the latest
    /// lock of one of its pairs.
    func throttleState(account id: Int64, now: Int64) async throws -> ThrottleState
    /// Forgets the failures of the account and of all its pairs.
    func clearFailures(account id: Int64) async throws
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
    /// Why an imported hash is refused (a method this hasher cannot verify, or one too
    /// costly or too weak), judged from its form alone without computing a hash; nil
    /// when it is accepted.
    func importRefusal(_ hash: String) -> String?
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
    /// The session that issued the token (contract §7); nil for tokens without one.
    public var sid: String?
    /// The session's methods (RFC 8176 `amr`) and its expiry (`sexp`, ms since the epoch)
    /// as they stood when the token was issued: what `auth.verify` reports as the token's
    /// `session` without a storage read. Nil in tokens without them.
    public var amr: [String]?
    public var sessionExpiresAt: Int64?

    public enum Fresh: Sendable, Equatable {
        case flag(Bool)
        case until(Double)
    }

    public init(sub: String, jti: String, type: String = "access", fresh: Fresh, iat: Int64, nbf: Int64, exp: Int64,
                sid: String? = nil, amr: [String]? = nil, sessionExpiresAt: Int64? = nil) {
        self.sub = sub
        self.jti = jti
        self.type = type
        self.fresh = fresh
        self.iat = iat
        self.nbf = nbf
        self.exp = exp
        self.sid = sid
        self.amr = amr
        self.sessionExpiresAt = sessionExpiresAt
    }
}

/// Signs and checks access tokens.
public protocol TokenCodec: Sendable {
    func encode(_ claims: AccessClaims) -> String
    /// The claims of a token whose signature, algorithm, type and times are valid at `now`;
    /// `.expired` for a well-signed token past its `exp`, `.invalid` for any other.
    func check(_ token: String, now: Int64) -> TokenCheck
    /// A keyed hash of `text` under a key derived from the signing secret, as hex: names
    /// no account has are throttled by it, so that their rows reveal nothing.
    func pseudonym(_ text: String) -> String
    /// A new opaque secret (refresh or session token) of 256 random bits.
    func newOpaqueToken() -> String
    /// The refresh token that replaces `token` at its rotation: keyed, so that only authd
    /// can make it, and fixed, so that a retry of the rotation returns the same one.
    func successor(ofRefreshToken token: String) -> String
    /// SHA-256 of an opaque token, as hex: the form it is stored in.
    func digest(_ token: String) -> String
}

/// What a token codec found in a token.
public enum TokenCheck: Sendable, Equatable {
    case valid(AccessClaims)
    case expired
    case invalid
}

extension TokenCodec {
    /// The claims of a token that is valid at `now`; nil for any token that is not.
    public func decode(_ token: String, now: Int64) -> AccessClaims? {
        if case .valid(let claims) = check(token, now: now) { return claims }
        return nil
    }
}

extension PasswordHasher {
    public func canVerify(_ hash: String) -> Bool { importRefusal(hash) == nil }
}

extension UserStore {
    /// A store that keeps nothing in memory.
    public func rememberedTokenState(jti: String, userID: Int64) -> (user: StoredUser?, revoked: Bool)? { nil }
    public func rememberedSessionEnded(_ id: String) -> Bool? { nil }
}
