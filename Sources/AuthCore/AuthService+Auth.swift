#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The result of a successful login or refresh: an access token and the session's tokens.
public struct LoginResult: Sendable {
    public var accessToken: String
    public var expiresIn: Int64
    public var user: User
    public var refreshToken: String
    public var refreshExpiresIn: Int64
    public var sessionID: String
    /// Only when the login asked for one (`session_token: true`).
    public var sessionToken: String?
}

/// The user and claims of an active token.
public struct Verification: Sendable {
    public var user: User
    public var claims: AccessClaims
    /// The token's session, when it has one.
    public var session: SessionSummary? = nil
    /// The user's groups (contract §8).
    public var groups: [String] = []
}

/// What `auth.verify` found: an active token, or why it is not active.
public enum TokenStatus: Sendable {
    case active(Verification)
    case inactive(InactiveReason)

    /// The contract's words for a token that is not active.
    public enum InactiveReason: String, Sendable {
        case expired, revoked, invalid
        case noUser = "no_user"
    }
}

extension AuthService {
    /// `registrationOpen`: `--registration` as the last reload left it; closed, only
    /// privileged peers (not the gateway) may register.
    public func register(username: Field<String>, email: Field<String>, password: Field<String>, registrationOpen: Bool = true,
                         caller: Caller) async throws -> User {
        if !registrationOpen && (!caller.isPrivileged || caller.isGateway) {
            throw AuthError(.forbidden, "Registration is closed")
        }
        var errors = FieldErrors()
        let (name, address, secret) = Validation.account(username, email, password, &errors)
        try errors.check()

        // A cheap check first, so a duplicate costs no hash; the store's unique
        // indexes decide races.
        try await checkUnique(username, email)
        let hash = try await hasher.hash(secret!)
        let user = try await store.create(NewUser(username: name!, email: address!, passwordHash: hash, createdAt: clock()))
        emit(.register, user.id, caller)
        return user
    }

    public func login(
        username: Field<String>, email: Field<String>, password: Field<String>, client: Field<String>, label: Field<String>,
        sessionToken: Field<Bool>, caller: Caller
    ) async throws -> LoginAnswer {
        var errors = FieldErrors()
        let name = username.read(&errors)
        let address = name == nil ? email.read(&errors) : nil
        if name == nil && address == nil && username.isAbsent && email.isAbsent {
            errors.add(username.name, Validation.missing)
        }
        let secret = password.read(&errors)
        let clientAddress = client.read(&errors)
        let labelText = readLabel(label, &errors)
        let wantsSessionToken = sessionToken.read(&errors) ?? false
        try errors.check()

        let found: StoredUser?
        if let name { found = try await store.user(username: name) } else { found = try await store.user(email: address!) }
        // A name no account has is counted under a keyed hash of it, with the same writes,
        // so that neither the answer nor the lock tells whether the account exists.
        let account = found.map { ThrottleKey.accountName($0.user.id) }
            ?? "name:" + tokens.pseudonym((name ?? address!).lowercased())
        let rules = settings.throttle
        let keys = rules.keys(account: account, client: caller.throttleClient(client: clientAddress))
        // The attempt is counted before its hash, so attempts sent at once cannot get past
        // a limit; a throttled attempt is refused without a hash spent on it. Attempts on
        // one pair beyond one short of its limit wait for those in flight, so that right
        // passwords sent at once are not counted into a lock (on one instance; each
        // instance admits as many).
        return try await pairGate.run(keys[0].key, width: rules.limit(for: .pair) - 1) {
            let reservation = try await reserve(keys)
            // bcrypt cannot take these, and no stored hash was made from them; checking
            // them costs the same as any wrong password.
            let usable = Validation.loginPassword(secret!).isEmpty
            // The dummy hash matches no password, so a match means a usable password of a user.
            let against = usable ? found?.passwordHash ?? hasher.dummyHash : hasher.dummyHash
            let matched: Bool
            do {
                matched = try await hasher.verify(usable ? secret! : "", against: against)
            } catch let error as AuthError where error.kind == .unavailable {
                // No hash was spent: the attempt does not count.
                try await store.releaseLogin(keys, rules: rules)
                throw error
            }
            // A disabled user's right password fails as a wrong one does; only the log says why.
            guard matched, let found, !found.isDisabled else {
                // The name tried and the end client's address (only as a trusted peer gave it), for fail2ban.
                events(AuthEvent(.loginFailed, userID: found?.user.id, peerUID: caller.uid,
                                 detail: matched && found?.isDisabled == true ? "account disabled" : nil,
                                 attempt: .init(tried: name ?? address ?? ""), client: caller.mayNameClient ? clientAddress : nil))
                reportLocks(reservation, found?.user.id, caller)
                throw AuthError.badCredentials
            }
            // Tokens issued in the second of a password change count as issued before it;
            // wait out that second rather than hand out a token that is already dead.
            while now <= found.tokensValidAfter {
                try await Task.sleep(for: .milliseconds(50))
            }
            // Taken before the check, so a password change committed after the check revokes
            // this token (its tokens_valid_after is at least `issued`), and one committed
            // before it refuses the login: no token comes from a hash that is no longer current.
            let issued = now
            // A user with TOTP gets no token for the password alone (contract §9). The
            // attempt is taken back, but nothing is cleared: only a completed `auth.mfa`
            // clears the failures, so that a password and wrong codes, again and again, lock.
            if factors != nil, try await store.totp(userID: found.user.id)?.confirmed == true {
                try await store.releaseLogin(keys, rules: rules)
                let challenge = tokens.newOpaqueToken()
                try await store.storeMFAChallenge(MFAChallenge(
                    tokenHash: tokens.digest(challenge), userID: found.user.id, client: sessionClient(clientAddress, caller),
                    label: caller.mayNameClient ? labelText : nil, wantsSessionToken: wantsSessionToken,
                    expiresAt: issued + Self.mfaChallengeLifetime), createdAt: issued)
                events(AuthEvent(.mfaRequired, userID: found.user.id, peerUID: caller.uid, client: caller.mayNameClient ? clientAddress : nil))
                return .mfaRequired(mfaToken: challenge, expiresIn: Self.mfaChallengeLifetime)
            }
            let opened = openingSession(for: found.user.id, at: max(nowMilliseconds, issued * 1000),
                                        client: sessionClient(clientAddress, caller), label: caller.mayNameClient ? labelText : nil,
                                        amr: ["pwd"], withSessionToken: wantsSessionToken)
            guard let capped = try await store.completeLogin(found, keys: keys, rules: rules, opening: opened.new) else {
                emit(.loginFailed, found.user.id, caller, "password or second factor changed during the login")
                throw AuthError.badCredentials
            }
            sessionActivity(.opened)
            if !capped.isEmpty { sessionActivity(.ended(.cap, count: capped.count)) }
            if hasher.needsRehash(found.passwordHash) {
                let upgraded = try await hasher.hash(secret!)
                try await store.replaceHash(id: found.user.id, old: found.passwordHash, new: upgraded)
            }
            emit(.loginSucceeded, found.user.id, caller)
            let session = opened.new.session
            return .signedIn(result(found.user, session, at: session.createdAt, jti: UUID().uuidString.lowercased(), fresh: true,
                                    refreshToken: opened.refreshToken, sessionToken: opened.sessionToken))
        }
    }

    /// `verify` of a token given as a string, answered from memory alone without
    /// waiting; nil when the answer needs the storage (then call `verify`).
    public func verifyFromMemory(token: String) -> TokenStatus? {
        // A session token is looked up in the storage.
        if Self.isOpaque(token) { return nil }
        switch signed(token) {
        case .inactive(let reason): return .inactive(reason)
        case .signed(let claims, let userID):
            guard let state = store.rememberedTokenState(jti: claims.jti, userID: userID) else { return nil }
            var ended = false
            if let sid = claims.sid {
                // A token without its session's amr and expiry (from an older authd) has them read.
                guard let known = store.rememberedSessionEnded(sid), SessionSummary(claims) != nil else { return nil }
                ended = known
            }
            return Self.status(claims, state, sessionEnded: ended)
        }
    }

    /// The token's state. A missing token is invalid params.
    public func verify(token: Token) async throws -> TokenStatus {
        var errors = FieldErrors()
        let raw = token.read(&errors)
        try errors.check()
        if Self.isOpaque(raw!) { return try await verifySessionToken(raw!) }
        switch signed(raw!) {
        case .inactive(let reason): return .inactive(reason)
        case .signed(let claims, let userID):
            let status = Self.status(claims, try await store.tokenState(jti: claims.jti, userID: userID),
                                     sessionEnded: try await sessionEnded(claims))
            guard case .active(var verification) = status, let sid = claims.sid, verification.session == nil else { return status }
            verification.session = try await store.session(id: sid).map { SessionSummary(id: $0.id, amr: $0.amr, expiresAt: $0.expiresAt) }
            return .active(verification)
        }
    }

    /// A token as its signature and times alone judge it.
    private enum Signed {
        case signed(AccessClaims, userID: Int64)
        case inactive(TokenStatus.InactiveReason)
    }

    private func signed(_ raw: String) -> Signed {
        switch tokens.check(raw, now: now) {
        case .invalid: return .inactive(.invalid)
        case .expired: return .inactive(.expired)
        case .valid(let claims):
            guard let userID = Int64(claims.sub) else { return .inactive(.invalid) }
            return .signed(claims, userID: userID)
        }
    }

    /// `active` with the reason when it is not: a revoked token, or one issued before its
    /// user's last password change, is revoked; one whose user is gone has no user.
    static func status(_ claims: AccessClaims, _ state: (user: StoredUser?, revoked: Bool), sessionEnded: Bool) -> TokenStatus {
        guard let (user, claims) = active(claims, state, sessionEnded: sessionEnded) else {
            return .inactive(state.revoked || state.user != nil ? .revoked : .noUser)
        }
        return .active(Verification(user: user.user, claims: claims, session: SessionSummary(claims), groups: user.groups))
    }

    /// Checks that the storage answers.
    public func health() async throws -> String {
        try await store.ping()
        return store.kind
    }

    /// Forgets revocations of tokens that have expired anyway, and sessions done with.
    public func purgeExpiredRevocations() async throws {
        let expired = try await store.purgeRevocations(before: now)
        if expired > 0 { sessionActivity(.ended(.expired, count: expired)) }
    }
}
