#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The result of a successful login.
public struct LoginResult: Sendable {
    public var accessToken: String
    public var expiresIn: Int64
    public var user: User
}

/// The result of `auth.verify`: the user and claims of an active token, or nothing.
public struct Verification: Sendable {
    public var user: User
    public var claims: AccessClaims
}

extension AuthService {
    public func register(username: Field<String>, email: Field<String>, password: Field<String>, caller: Caller) async throws -> User {
        var errors = FieldErrors()
        let username = username.required("username", &errors)
        let email = email.required("email", &errors)
        let password = password.required("password", &errors)
        if let username { errors.add("username", Validation.username(username)) }
        if let email { errors.add("email", Validation.email(email)) }
        if let password { errors.add("password", Validation.password(password)) }
        try errors.check()

        // A cheap check first, so a duplicate costs no hash; the store's unique
        // indexes decide races.
        try await checkUnique(username: username, email: email)
        let hash = try await hasher.hash(password!)
        let user = try await store.create(NewUser(username: username!, email: email!, passwordHash: hash, createdAt: clock()))
        emit(.register, user.id, caller)
        return user
    }

    public func login(
        username: Field<String>, email: Field<String>, password: Field<String>, client: Field<String> = .absent, caller: Caller
    ) async throws -> LoginResult {
        var errors = FieldErrors()
        let name = username.optional("username", &errors)
        let address = name == nil ? email.optional("email", &errors) : nil
        if name == nil && address == nil && username.isAbsent && email.isAbsent {
            errors.add("username", Validation.missing)
        }
        let password = password.required("password", &errors)
        let clientAddress = client.optional("client", &errors)
        try errors.check()

        let found: StoredUser?
        if let name { found = try await store.user(username: name) } else { found = try await store.user(email: address!) }
        let keys = [found.map { ThrottleKey.account($0.user.id) }, caller.throttleKey(client: clientAddress)].compactMap { $0 }
        // A throttled attempt is refused before any hash is spent on it.
        let lockedUntil = try await store.lockedUntil(keys)
        if lockedUntil > now {
            throw AuthError(.tooManyAttempts, "Too many failed logins; retry later", retryAfter: Int(lockedUntil - now))
        }
        // bcrypt cannot take these, and no stored hash was made from them; checking
        // them costs the same as any wrong password.
        let usable = Validation.loginPassword(password!).isEmpty
        let matched: Bool
        if let found, usable {
            matched = try await hasher.verify(password!, against: found.passwordHash)
        } else {
            _ = try await hasher.verify(usable ? password! : "", against: hasher.dummyHash)
            matched = false
        }
        guard matched, let found else {
            emit(.loginFailed, found?.user.id, caller)
            try await countFailure(keys, userID: found?.user.id, caller: caller)
            throw AuthError.badCredentials
        }
        try await store.clearFailures(.account(found.user.id))
        if hasher.needsRehash(found.passwordHash) {
            let upgraded = try await hasher.hash(password!)
            try await store.replaceHash(id: found.user.id, old: found.passwordHash, new: upgraded)
        }
        // Tokens issued in the second of a password change count as issued before it;
        // wait out that second rather than hand out a token that is already dead.
        while now <= found.tokensValidAfter {
            try await Task.sleep(for: .milliseconds(50))
        }
        let issued = now
        let claims = AccessClaims(
            sub: String(found.user.id), jti: UUID().uuidString.lowercased(), fresh: .flag(true),
            iat: issued, nbf: issued, exp: issued + settings.tokenLifetime)
        emit(.loginSucceeded, found.user.id, caller)
        return LoginResult(accessToken: tokens.encode(claims), expiresIn: settings.tokenLifetime, user: found.user)
    }

    /// Counts a failed login against the account and the client, locking either once
    /// it passes its limit.
    private func countFailure(_ keys: [ThrottleKey], userID: Int64?, caller: Caller) async throws {
        let rules = settings.throttle
        for key in keys {
            let failures = try await store.recordFailure(key, now: now, window: rules.window)
            if let seconds = rules.lockSeconds(failures: failures, scope: key.scope) {
                try await store.lock(key, until: now + seconds)
                emit(.lockout, key.scope == .account ? userID : nil, caller, "\(key.scope.rawValue) locked for \(seconds) s after \(failures) failures")
            }
        }
    }

    public func logout(token: Token, caller: Caller) async throws {
        guard let raw = token.value, let (user, claims) = try await activeToken(raw) else {
            throw AuthError.unauthenticated
        }
        try await store.revoke(jti: claims.jti, expiresAt: claims.exp)
        emit(.logout, user.user.id, caller)
    }

    /// `verify` of a token given as a string, answered from memory alone without
    /// waiting: `.some(nil)` for a token that is not active, nil when the answer needs
    /// the storage (then call `verify`).
    public func verifyFromMemory(token: String) -> Verification?? {
        guard let claims = tokens.decode(token, now: now), let userID = Int64(claims.sub) else { return .some(nil) }
        guard let state = store.rememberedTokenState(jti: claims.jti, userID: userID) else { return nil }
        return .some(Self.active(claims, state).map { Verification(user: $0.0.user, claims: $0.1) })
    }

    /// The token's state; nil when it is not active. A missing token is invalid params.
    public func verify(token: Token) async throws -> Verification? {
        var errors = FieldErrors()
        let raw = token.required("token", &errors)
        try errors.check()
        return try await activeToken(raw!).map { Verification(user: $0.0.user, claims: $0.1) }
    }

    /// Checks that the storage answers.
    public func health() async throws -> String {
        try await store.ping()
        return store.kind
    }

    /// Forgets revocations of tokens that have expired anyway.
    public func purgeExpiredRevocations() async throws {
        try await store.purgeRevocations(before: now)
    }
}
