#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `users.status`: the administrator's view of an account (contract §8).
public struct AccountStatus: Sendable {
    public var user: StoredUser
    public var sessions: Int
    public var lastLoginAt: Int64?
    /// The account-wide lock while it holds, else the latest pair lock; nil when none holds.
    public var lockedUntil: Int64?
    /// The confirmed second factors: ["totp"] or [].
    public var mfa: [String]
}

/// `users.reset_token`'s answer.
public struct IssuedReset: Sendable {
    public var token: String
    public var expiresIn: Int64
}

extension AuthService {
    /// Group names (contract §8): `[a-z][a-z0-9_-]{0,31}`, at most 32 of them.
    public static let maxGroups = 32
    public static let groupRule = "Must be 1–32 of a-z 0-9 _ -, starting with a letter."
    public static let resetTTLs: ClosedRange<Int64> = 60...86_400
    public static let defaultResetTTL: Int64 = 3600
    static let reasonLength = 200
    static let badResetToken = "Invalid or expired reset token."
    static let wrongPassword = "Wrong password."

    /// Why these group names may not be a user's (too many, names that are not group
    /// names); empty when they may.
    static func groupsRefusal(_ names: [String]) -> [String] {
        (names.count > maxGroups ? ["At most \(maxGroups) groups."] : [])
            + names.filter { !isGroupName($0) }.map { "\(groupRule) Not: '\($0.prefix(40))'." }
    }

    public static func isGroupName(_ name: String) -> Bool {
        let s = Array(name.utf8)
        guard (1...32).contains(s.count), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(s[0]) else { return false }
        return s.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
    }

    /// The user a privileged-only `users.*` method is about: authentication, permission,
    /// then existence, in the contract's order.
    func administered(_ id: Field<Int64>, _ token: Token, _ caller: Caller) async throws -> StoredUser {
        let principal = try await authenticate(token, caller)
        guard case .privileged = principal else { throw AuthError.forbidden }
        let id = try requireID(id)
        guard let found = try await store.user(id: id) else { throw AuthError.notFound }
        return found
    }

    /// Ends every session and token of the user at once, on every instance; their login
    /// then fails as a wrong password does.
    public func disable(id: Field<Int64>, reason: Field<String>, token: Token, caller: Caller) async throws {
        let target = try await administered(id, token, caller)
        var errors = FieldErrors()
        let why = reason.read(&errors)
        if let why, why.count > Self.reasonLength { errors.add(reason.name, "Longer than maximum length \(Self.reasonLength).") }
        try errors.check()
        guard let ended = try await store.disable(id: target.user.id, reason: why, now: now, nowMilliseconds: nowMilliseconds) else {
            throw AuthError.notFound
        }
        if ended > 0 { sessionActivity(.ended(.disabled, count: ended)) }
        emit(.disable, target.user.id, caller, why.map { "reason: \($0)" } ?? "no reason given")
    }

    public func enable(id: Field<Int64>, token: Token, caller: Caller) async throws {
        let target = try await administered(id, token, caller)
        guard try await store.enable(id: target.user.id) else { throw AuthError.notFound }
        emit(.enable, target.user.id, caller)
    }

    public func status(id: Field<Int64>, token: Token, caller: Caller) async throws -> AccountStatus {
        let target = try await administered(id, token, caller)
        let id = target.user.id
        let throttle = try await store.throttleState(account: id, now: now)
        return AccountStatus(user: target, sessions: try await store.sessions(userID: id, now: nowMilliseconds).count,
                             lastLoginAt: try await store.lastLoginAt(id: id),
                             lockedUntil: throttle.lockedUntil > now ? throttle.lockedUntil : nil, mfa: try await factorNames(id))
    }

    /// Replaces the user's groups; returns them sorted, each once.
    public func setGroups(id: Field<Int64>, groups: Field<[String]>, token: Token, caller: Caller) async throws -> [String] {
        let target = try await administered(id, token, caller)
        var errors = FieldErrors()
        let names = groups.read(&errors) ?? []
        errors.add(groups.name, Self.groupsRefusal(names))
        try errors.check()
        let sorted = Array(Set(names)).sorted()
        guard try await store.setGroups(id: target.user.id, sorted) else { throw AuthError.notFound }
        if sorted != target.groups {
            emit(.groups, target.user.id, caller, "groups: " + (sorted.isEmpty ? "none" : sorted.joined(separator: ",")))
        }
        return sorted
    }

    /// A single-use reset token (only the newest of a user is valid), stored as its hash.
    public func resetToken(id: Field<Int64>, ttl: Field<Int64>, token: Token, caller: Caller) async throws -> IssuedReset {
        let target = try await administered(id, token, caller)
        var errors = FieldErrors()
        let seconds = ttl.read(&errors) ?? Self.defaultResetTTL
        if !Self.resetTTLs.contains(seconds) {
            errors.add(ttl.name, "Must be between \(Self.resetTTLs.lowerBound) and \(Self.resetTTLs.upperBound).")
        }
        try errors.check()
        let secret = tokens.newOpaqueToken()
        try await store.storeResetToken(userID: target.user.id, hash: tokens.digest(secret), expiresAt: now + seconds)
        emit(.resetIssued, target.user.id, caller, "valid for \(seconds) s")
        return IssuedReset(token: secret, expiresIn: seconds)
    }

    /// Sets a password with a reset token: every session and token of the user ends, and
    /// the token is spent. Every failure, a weak password too, counts for the client.
    public func resetPassword(resetToken: Field<String>, password: Field<String>, client: Field<String>, caller: Caller) async throws -> User {
        var errors = FieldErrors()
        let presented = resetToken.read(&errors)
        let secret = password.read(&errors)
        let clientAddress = client.read(&errors)
        // A bucket of their own, with the per-client limit: mistyped resets do not lock logins.
        let keys = guessBucket("reset", clientAddress, caller)
        let rules = settings.throttle
        let reservation = try await reserve(keys, of: "resets")
        func refuse(_ errors: FieldErrors) throws -> Never {
            reportLocks(reservation, nil, caller)
            throw AuthError.invalid(errors.fields)
        }
        if let secret { errors.add(password.name, Validation.password(secret)) }
        if let presented, !Self.isOpaque(presented) || presented.utf8.count > 256 { errors.add(resetToken.name, Self.badResetToken) }
        if !errors.isEmpty { try refuse(errors) }
        let hash: String
        do {
            hash = try await hasher.hash(secret!)
        } catch let error as AuthError where error.kind == .unavailable {
            try await store.releaseLogin(keys, rules: rules)
            throw error
        }
        guard let (user, ended) = try await store.resetPassword(
            tokenHash: tokens.digest(presented!), newPasswordHash: hash, now: now, nowMilliseconds: nowMilliseconds)
        else {
            errors.add(resetToken.name, Self.badResetToken)
            try refuse(errors)
        }
        try await store.releaseLogin(keys, rules: rules)
        if ended > 0 { sessionActivity(.ended(.password, count: ended)) }
        emit(.resetUsed, user.user.id, caller, "password set; \(ended) sessions ended")
        return user.user
    }

    /// Whether a token counts as fresh for a sensitive change: `fresh: true` and issued
    /// less than `fresh_window` ago (or, as flask-jwt-extended may write it, fresh until a time).
    func isFresh(_ claims: AccessClaims) -> Bool {
        switch claims.fresh {
        case .flag(let fresh): fresh && now - claims.iat < settings.freshWindow
        case .until(let until): Double(now) < until
        }
    }

    /// Checks a user's own `current_password` (contract §8) as a login would: counted
    /// before its hash, refused while locked (-32029), a wrong one a failed login
    /// (-32602 with `fields.current_password`).
    /// `client` is the end user's address as a trusted peer (the gateway) names it, as at login.
    func checkCurrentPassword(_ me: StoredUser, _ currentPassword: String, _ field: String, client: String?, caller: Caller) async throws {
        let rules = settings.throttle
        let keys = rules.keys(account: ThrottleKey.accountName(me.user.id), client: caller.throttleClient(client: client))
        let reservation = try await reserve(keys)
        let usable = Validation.loginPassword(currentPassword).isEmpty
        let matched: Bool
        do {
            matched = try await hasher.verify(usable ? currentPassword : "", against: usable ? me.passwordHash : hasher.dummyHash)
        } catch let error as AuthError where error.kind == .unavailable {
            try await store.releaseLogin(keys, rules: rules)
            throw error
        }
        guard matched else {
            events(AuthEvent(.loginFailed, userID: me.user.id, peerUID: caller.uid, detail: "wrong current_password",
                             attempt: .name(me.user.username), client: caller.mayNameClient ? client : nil))
            reportLocks(reservation, me.user.id, caller)
            throw AuthError.invalid([field: [Self.wrongPassword]])
        }
        try await store.releaseLogin(keys, rules: rules)
    }

    /// Counts an attempt against `keys` before its hash is spent (login, current_password,
    /// reset): -32029 while one of them is locked.
    /// The per-client bucket of guesses that are not logins (`reset|…`, `refresh|…`): the
    /// per-client limit, apart from the client's logins; none for an exempt peer.
    func guessBucket(_ kind: String, _ clientAddress: String?, _ caller: Caller) -> [ThrottleKey] {
        let who = caller.throttleClient(client: clientAddress)
        return who.isExempt ? [] : [ThrottleKey(.client, kind + "|" + who.name)]
    }

    func reserve(_ keys: [ThrottleKey], of what: String = "logins") async throws -> LoginReservation {
        do {
            return try await store.reserveLogin(keys, rules: settings.throttle, now: now)
        } catch let refused as LoginRefused {
            throw AuthError(.tooManyAttempts, "Too many failed \(what); retry later", retryAfter: Int(max(1, refused.until - now)))
        }
    }

    /// The audit events of the locks a failed attempt set (a client's lock names no user).
    func reportLocks(_ reservation: LoginReservation, _ userID: Int64?, _ caller: Caller) {
        for lock in reservation.locks {
            emit(.lockout, lock.key.scope == .client ? nil : userID, caller,
                 "\(lock.key.scope.rawValue) locked for \(lock.seconds) s after \(lock.failures) failures")
        }
    }
}
