#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything authd does, independent of how a request arrived.
/// Each public method follows the contract's check order: authentication,
/// permission, existence, validation, conflicts.
public struct AuthService: Sendable {
    public struct Settings: Sendable {
        public var tokenLifetime: Int64
        public var throttle: LoginThrottle
        /// Seconds: a session ends this long after its last use, or this long after it began.
        public var sessionIdleTimeout: Int64
        public var sessionLifetime: Int64
        /// Seconds in which the last retired refresh token may be presented again (a retry).
        public var refreshReuseInterval: Int64
        public var maxSessionsPerUser: Int
        /// Seconds in which a `fresh` token may change its user's email or delete them
        /// without `current_password` (contract §8).
        public var freshWindow: Int64
        /// ISSUER of the `otpauth://` URI (contract §9).
        public var mfaIssuer: String
        public init(tokenLifetime: Int64 = 3600, throttle: LoginThrottle = LoginThrottle(), sessionIdleTimeout: Int64 = 7 * 86_400,
                    sessionLifetime: Int64 = 30 * 86_400, refreshReuseInterval: Int64 = 10, maxSessionsPerUser: Int = 100,
                    freshWindow: Int64 = 600, mfaIssuer: String = "authd") {
            self.freshWindow = freshWindow
            self.mfaIssuer = mfaIssuer
            self.tokenLifetime = tokenLifetime
            self.throttle = throttle
            self.sessionIdleTimeout = sessionIdleTimeout
            self.sessionLifetime = sessionLifetime
            self.refreshReuseInterval = refreshReuseInterval
            self.maxSessionsPerUser = maxSessionsPerUser
        }
    }

    let store: any UserStore
    let hasher: any PasswordHasher
    let tokens: any TokenCodec
    /// Nil only where no MFA key is configured (tests of other parts): no user has a factor then.
    let factors: (any SecondFactorCodec)?
    let settings: Settings
    let clock: @Sendable () -> Date
    let events: @Sendable (AuthEvent) -> Void
    let sessionActivity: @Sendable (SessionActivity) -> Void
    /// Logins in flight per (account, client) pair, at most one short of the pair's limit.
    let pairGate = KeyedGate()

    public init(
        store: any UserStore, hasher: any PasswordHasher, tokens: any TokenCodec, factors: (any SecondFactorCodec)? = nil,
        settings: Settings = Settings(),
        clock: @escaping @Sendable () -> Date = { Date() },
        events: @escaping @Sendable (AuthEvent) -> Void = { _ in },
        sessionActivity: @escaping @Sendable (SessionActivity) -> Void = { _ in }
    ) {
        self.sessionActivity = sessionActivity
        self.store = store
        self.hasher = hasher
        self.tokens = tokens
        self.factors = factors
        self.settings = settings
        self.clock = clock
        self.events = events
    }

    var now: Int64 { Int64(clock().timeIntervalSince1970.rounded(.down)) }
    /// Session times are kept to the millisecond.
    var nowMilliseconds: Int64 { Int64((clock().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Who a request acts as once its token, if any, is checked.
    enum Principal {
        case privileged
        case user(StoredUser, AccessClaims)

        var userID: Int64? {
            if case .user(let u, _) = self { return u.user.id }
            return nil
        }
    }

    /// The contract's authentication step: a token, whenever one is given, must be
    /// active; without one only a privileged caller gets through. A token from the
    /// gateway's group acts as its user even when the peer is privileged (section 5).
    func authenticate(_ token: Token, _ caller: Caller) async throws -> Principal {
        switch token.input {
        case .absent:
            if caller.isPrivileged { return .privileged }
            throw AuthError.unauthenticated
        case .invalid:
            throw AuthError.unauthenticated
        case .value(let raw):
            guard let (user, claims) = try await activeToken(raw) else { throw AuthError.unauthenticated }
            return caller.isPrivileged && !caller.isGateway ? .privileged : .user(user, claims)
        }
    }

    /// The token's user and claims when the token is well signed, current, not revoked,
    /// its user exists, and it was issued after the user's last password change.
    func activeToken(_ raw: String) async throws -> (StoredUser, AccessClaims)? {
        guard let claims = tokens.decode(raw, now: now), let userID = Int64(claims.sub) else { return nil }
        return Self.active(claims, try await store.tokenState(jti: claims.jti, userID: userID), sessionEnded: try await sessionEnded(claims))
    }

    /// Whether the token's session has ended (false for a token without one): from memory
    /// while it is true, else from the storage.
    func sessionEnded(_ claims: AccessClaims) async throws -> Bool {
        guard let sid = claims.sid else { return false }
        if let known = store.rememberedSessionEnded(sid) { return known }
        return try await store.sessionEnded(sid)
    }

    /// A well-signed, unexpired token is active unless revoked, its user gone or disabled, all the
    /// user's tokens from before its `iat` revoked, its session ended, or (without a
    /// session) the user's tokens without one ended after it was issued.
    static func active(_ claims: AccessClaims, _ state: (user: StoredUser?, revoked: Bool), sessionEnded: Bool) -> (StoredUser, AccessClaims)? {
        guard !state.revoked, !sessionEnded, let user = state.user, !user.isDisabled, claims.iat > user.tokensValidAfter,
              claims.sid != nil || claims.iat > user.unboundTokensValidAfter else { return nil }
        return (user, claims)
    }

    /// The permission step for `users.*`: privileged callers act on anyone, others on themselves.
    func authorize(_ principal: Principal, _ id: Int64) throws {
        if case .user(let u, _) = principal, u.user.id != id { throw AuthError.forbidden }
    }

    /// The id parameter of `users.*`, validated before permission can be decided. It is
    /// needed even where the interface declares it optional (`users.get`'s alternatives).
    func requireID(_ id: Field<Int64>) throws -> Int64 {
        var errors = FieldErrors()
        if let value = id.read(&errors) { return value }
        if errors.isEmpty { errors.add(id.name, Validation.missing) }
        throw AuthError.invalid(errors.fields)
    }

    func emit(_ kind: AuthEvent.Kind, _ userID: Int64?, _ caller: Caller, _ detail: String? = nil) {
        events(AuthEvent(kind, userID: userID, peerUID: caller.uid, detail: detail))
    }

    /// Fails with a conflict when another user already has the username or email given.
    func checkUnique(_ username: Field<String>, _ email: Field<String>, except id: Int64? = nil) async throws {
        if let name = username.value, let other = try await store.user(username: name), other.user.id != id {
            throw AuthError.conflict(username.name)
        }
        if let address = email.value, let other = try await store.user(email: address), other.user.id != id {
            throw AuthError.conflict(email.name)
        }
    }
}
