#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `scope` of `auth.logout` (contract §7).
public enum LogoutScope: String, Sendable, CaseIterable {
    /// This token's session, or this token alone when it has none.
    case local
    /// Every other session of the user, and the user's tokens without a session.
    case others
    /// All of them, this token too.
    case global
}

/// `sessions.list`'s answer: the sessions, and which one is the caller's.
public struct SessionList: Sendable {
    public var sessions: [Session]
    public var current: String?
}

extension AuthService {
    /// A new session for a login at `at` (ms), with its first refresh token.
    func openingSession(for userID: Int64, at: Int64, client: String, label: String?, amr: [String], withSessionToken: Bool)
        -> (new: NewSession, refreshToken: String, sessionToken: String?) {
        let refresh = tokens.newOpaqueToken()
        let sessionToken = withSessionToken ? tokens.newOpaqueToken() : nil
        let session = Session(
            id: newSessionID(), userID: userID, createdAt: at, lastUsedAt: at,
            idleExpiresAt: at + settings.sessionIdleTimeout * 1000, lifetimeEndsAt: at + settings.sessionLifetime * 1000,
            client: client, label: label, amr: amr)
        let new = NewSession(session: session, refreshHash: tokens.digest(refresh), sessionTokenHash: sessionToken.map(tokens.digest),
                             accessUntil: accessExpiry(session, issuedAt: at) * 1000, maxSessions: settings.maxSessionsPerUser)
        return (new, refresh, sessionToken)
    }

    /// A session's id: opaque, and never beginning with "-", so that a command line
    /// (`authctl session revoke ID`) takes it as an argument, not an option.
    func newSessionID() -> String {
        while true {
            let id = tokens.newOpaqueToken()
            if !id.hasPrefix("-") { return id }
        }
    }

    /// The `exp` (seconds) of an access token issued at `at` (ms) for the session whose
    /// expiries are as they stand after that use: never past the session's end.
    func accessExpiry(_ session: Session, issuedAt at: Int64) -> Int64 {
        min(at / 1000 + settings.tokenLifetime, min(at + settings.sessionIdleTimeout * 1000, session.lifetimeEndsAt) / 1000)
    }

    /// The answer of a login or refresh: an access token of the session issued at `at` (ms).
    func result(_ user: User, _ session: Session, at: Int64, jti: String, fresh: Bool, refreshToken: String,
                sessionToken: String?) -> LoginResult {
        let iat = at / 1000
        let exp = accessExpiry(session, issuedAt: at)
        let ends = min(at + settings.sessionIdleTimeout * 1000, session.lifetimeEndsAt)
        let claims = AccessClaims(sub: String(user.id), jti: jti, fresh: .flag(fresh), iat: iat, nbf: iat, exp: exp, sid: session.id,
                                  amr: session.amr, sessionExpiresAt: ends)
        return LoginResult(accessToken: tokens.encode(claims), expiresIn: exp - iat, user: user, refreshToken: refreshToken,
                           refreshExpiresIn: max(0, (ends - nowMilliseconds + 999) / 1000), sessionID: session.id, sessionToken: sessionToken)
    }

    /// The client a session records: the one a trusted peer names, else the peer's uid.
    func sessionClient(_ client: String?, _ caller: Caller) -> String {
        if caller.mayNameClient, let client, !client.isEmpty { return client }
        return "uid:" + (caller.uid.map { String($0) } ?? "unknown")
    }

    func readLabel(_ label: Field<String>, _ errors: inout FieldErrors) -> String? {
        let text = label.read(&errors)
        if let text, text.count > Validation.labelLength { errors.add(label.name, Validation.labelTooLong) }
        return text
    }

    /// Refresh and session tokens are opaque; access tokens are JWTs (with dots).
    static func isOpaque(_ token: String) -> Bool { !token.utf8.contains(UInt8(ascii: ".")) }

    public func refresh(refreshToken: Field<String>, client: Field<String>, label: Field<String>, caller: Caller) async throws -> LoginResult {
        var errors = FieldErrors()
        let presented = refreshToken.read(&errors)
        let clientAddress = client.read(&errors)
        let labelText = readLabel(label, &errors)
        try errors.check()
        guard let presented, Self.isOpaque(presented), presented.utf8.count <= 256 else {
            try await refuseUnknownRefresh(clientAddress, caller)
        }
        let successor = tokens.successor(ofRefreshToken: presented)
        let at = nowMilliseconds
        let outcome = try await store.refresh(RefreshAttempt(
            presentedHash: tokens.digest(presented), successorHash: tokens.digest(successor), client: sessionClient(clientAddress, caller),
            label: caller.mayNameClient ? labelText : nil, now: at, idleTimeout: settings.sessionIdleTimeout * 1000,
            reuseInterval: settings.refreshReuseInterval * 1000,
            accessUntil: min(at + settings.tokenLifetime * 1000, at + settings.sessionIdleTimeout * 1000)))
        switch outcome {
        case .rotated(let session, let rotatedAt), .retried(let session, let rotatedAt):
            let retried = if case .retried = outcome { true } else { false }
            sessionActivity(.refreshed(retried ? .retried : .rotated))
            guard let user = try await store.user(id: session.userID), !user.isDisabled else { throw AuthError.refreshRefused("revoked") }
            // The rotation's access token is made from the rotation alone, so that a retry
            // of it gets the very same pair.
            return result(user.user, session, at: rotatedAt, jti: String(tokens.digest("jti " + successor).prefix(32)), fresh: false,
                          refreshToken: successor, sessionToken: nil)
        case .reused(let session):
            sessionActivity(.refreshed(.reused))
            sessionActivity(.ended(.reuse, count: 1))
            emit(.refreshReuse, session.userID, caller, "session \(session.id) ended: a retired refresh token was presented again")
            throw AuthError.refreshRefused("reused")
        case .expired:
            sessionActivity(.refreshed(.expired))
            throw AuthError.refreshRefused("expired")
        case .revoked:
            sessionActivity(.refreshed(.revoked))
            throw AuthError.refreshRefused("revoked")
        case .unknown:
            try await refuseUnknownRefresh(clientAddress, caller)
        }
    }

    /// A refresh token authd never issued is a guess: counted for the client in a bucket
    /// of its own (the per-client limit; logins are not locked by it), and once the client
    /// is locked its guesses get -32029. Counted after the lookup, not reserved before it,
    /// so that a good refresh costs no throttle write: 256 random bits are not guessed in
    /// any number of tries, and the lock is there to stop the flood.
    private func refuseUnknownRefresh(_ clientAddress: String?, _ caller: Caller) async throws -> Never {
        sessionActivity(.refreshed(.unknown))
        let keys = guessBucket("refresh", clientAddress, caller)
        if !keys.isEmpty { reportLocks(try await reserve(keys, of: "refreshes"), nil, caller) }
        throw AuthError.refreshRefused(nil)
    }

    /// Ends what `scope` names and returns how many sessions ended.
    public func logout(token: Token, scope: Field<String>, caller: Caller) async throws -> Int {
        guard let raw = token.value, let (user, claims) = try await activeToken(raw) else {
            throw AuthError.unauthenticated
        }
        var errors = FieldErrors()
        let scopeText = scope.read(&errors)
        let chosen = scopeText.map { LogoutScope(rawValue: $0) } ?? .local
        if chosen == nil {
            errors.add(scope.name, "Must be one of: \(LogoutScope.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        try errors.check()
        let id = user.user.id
        let ended: Int
        switch chosen! {
        case .local:
            if let sid = claims.sid {
                ended = try await store.endSession(id: sid, userID: id, reason: .logout, now: nowMilliseconds) == nil ? 0 : 1
            } else {
                try await store.revoke(jti: claims.jti, expiresAt: claims.exp)
                ended = 0
            }
        case .others, .global:
            ended = try await store.endSessions(userID: id, keeping: chosen == .others ? claims.sid : nil, reason: .logout,
                                                cutUnboundAt: now, now: nowMilliseconds)
        }
        if ended > 0 { sessionActivity(.ended(.logout, count: ended)) }
        emit(.logout, id, caller, chosen == .local ? nil : "scope \(chosen!.rawValue): \(ended) sessions ended")
        return ended
    }

    /// The caller's active sessions, or (privileged peers) those of `user_id`.
    public func listSessions(token: Token, userID: Field<Int64>, caller: Caller) async throws -> SessionList {
        let principal = try await authenticate(token, caller)
        var errors = FieldErrors()
        let named = userID.read(&errors)
        let target: Int64
        var current: String?
        switch principal {
        case .user(let me, let claims):
            if let named, named != me.user.id { throw AuthError.forbidden }
            target = me.user.id
            current = claims.sid
        case .privileged:
            let mine = try await token.value.asyncMap { try await activeToken($0) } ?? nil
            current = mine?.1.sid
            if named == nil, errors.isEmpty, let mine {
                target = mine.0.user.id
            } else {
                if errors.isEmpty && named == nil { errors.add(userID.name, Validation.missing) }
                try errors.check()
                guard try await store.user(id: named!) != nil else { throw AuthError.notFound }
                target = named!
            }
        }
        try errors.check()
        return SessionList(sessions: try await store.sessions(userID: target, now: nowMilliseconds), current: current)
    }

    /// Ends one active session: the caller's own, or (privileged peers) anyone's.
    public func revokeSession(token: Token, sessionID: Field<String>, caller: Caller) async throws {
        let principal = try await authenticate(token, caller)
        var errors = FieldErrors()
        let id = sessionID.read(&errors)
        try errors.check()
        let owner = principal.userID
        guard let ended = try await store.endSession(id: id!, userID: owner, reason: owner == nil ? .admin : .logout, now: nowMilliseconds)
        else { throw AuthError.sessionNotFound }
        sessionActivity(.ended(owner == nil ? .admin : .logout, count: 1))
        emit(.sessionRevoke, ended.userID, caller, "session \(ended.id)")
    }

    /// `auth.verify` of a session token: good exactly as long as its session.
    func verifySessionToken(_ raw: String) async throws -> TokenStatus {
        guard raw.utf8.count <= 256 else { return .inactive(.invalid) }
        switch try await store.sessionByToken(hash: tokens.digest(raw), now: nowMilliseconds, idleTimeout: settings.sessionIdleTimeout * 1000) {
        case .unknown: return .inactive(.invalid)
        case .expired: return .inactive(.expired)
        case .revoked: return .inactive(.revoked)
        case .active(let session):
            guard let user = try await store.user(id: session.userID) else { return .inactive(.noUser) }
            if user.isDisabled { return .inactive(.revoked) }
            let claims = AccessClaims(sub: String(user.user.id), jti: session.id, type: "session", fresh: .flag(false),
                                      iat: session.createdAt / 1000, nbf: session.createdAt / 1000, exp: session.expiresAt / 1000,
                                      sid: session.id)
            return .active(Verification(user: user.user, claims: claims, session: SessionSummary(id: session.id, amr: session.amr, expiresAt: session.expiresAt), groups: user.groups))
        }
    }

    /// Ends every session of a user whose password changed (their tokens are void already).
    func endSessionsAfterPasswordChange(_ id: Int64) async throws {
        let ended = try await store.endSessions(userID: id, keeping: nil, reason: .password, cutUnboundAt: nil, now: nowMilliseconds)
        if ended > 0 { sessionActivity(.ended(.password, count: ended)) }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
