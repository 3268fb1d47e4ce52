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
        public init(tokenLifetime: Int64 = 3600, throttle: LoginThrottle = LoginThrottle()) {
            self.tokenLifetime = tokenLifetime
            self.throttle = throttle
        }
    }

    let store: any UserStore
    let hasher: any PasswordHasher
    let tokens: any TokenCodec
    let settings: Settings
    let clock: @Sendable () -> Date
    let events: @Sendable (AuthEvent) -> Void

    public init(
        store: any UserStore, hasher: any PasswordHasher, tokens: any TokenCodec,
        settings: Settings = Settings(),
        clock: @escaping @Sendable () -> Date = { Date() },
        events: @escaping @Sendable (AuthEvent) -> Void = { _ in }
    ) {
        self.store = store
        self.hasher = hasher
        self.tokens = tokens
        self.settings = settings
        self.clock = clock
        self.events = events
    }

    var now: Int64 { Int64(clock().timeIntervalSince1970.rounded(.down)) }

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
    /// active; without one only a privileged caller gets through.
    func authenticate(_ token: Token, _ caller: Caller) async throws -> Principal {
        switch token {
        case .absent:
            if caller.isPrivileged { return .privileged }
            throw AuthError.unauthenticated
        case .invalid:
            throw AuthError.unauthenticated
        case .value(let raw):
            guard let (user, claims) = try await activeToken(raw) else { throw AuthError.unauthenticated }
            return caller.isPrivileged ? .privileged : .user(user, claims)
        }
    }

    /// The token's user and claims when the token is well signed, current, not revoked,
    /// its user exists, and it was issued after the user's last password change.
    func activeToken(_ raw: String) async throws -> (StoredUser, AccessClaims)? {
        guard let claims = tokens.decode(raw, now: now), let userID = Int64(claims.sub) else { return nil }
        return Self.active(claims, try await store.tokenState(jti: claims.jti, userID: userID))
    }

    /// A well-signed, unexpired token is active unless revoked, its user gone, or all
    /// the user's tokens from before its `iat` revoked.
    static func active(_ claims: AccessClaims, _ state: (user: StoredUser?, revoked: Bool)) -> (StoredUser, AccessClaims)? {
        guard !state.revoked, let user = state.user, claims.iat > user.tokensValidAfter else { return nil }
        return (user, claims)
    }

    /// The permission step for `users.*`: privileged callers act on anyone, others on themselves.
    func authorize(_ principal: Principal, _ id: Int64) throws {
        if case .user(let u, _) = principal, u.user.id != id { throw AuthError.forbidden }
    }

    /// The id parameter of `users.*`, validated before permission can be decided.
    func requireID(_ id: Field<Int64>) throws -> Int64 {
        var errors = FieldErrors()
        let value = id.required("id", &errors)
        try errors.check()
        return value!
    }

    func emit(_ kind: AuthEvent.Kind, _ userID: Int64?, _ caller: Caller, _ detail: String? = nil) {
        events(AuthEvent(kind, userID: userID, peerUID: caller.uid, detail: detail))
    }

    /// Fails with a conflict when another user already has the username or email.
    func checkUnique(username: String?, email: String?, except id: Int64? = nil) async throws {
        if let username, let other = try await store.user(username: username), other.user.id != id {
            throw AuthError.conflict("username")
        }
        if let email, let other = try await store.user(email: email), other.user.id != id {
            throw AuthError.conflict("email")
        }
    }
}
