/// Two-factor sign-in (contract §9): enrolling TOTP, its recovery codes, and the login's
/// second step.
extension AuthService {
    /// Seconds an `mfa_token` and a pending enrollment stay good.
    public static let mfaChallengeLifetime: Int64 = 300
    public static let enrollmentLifetime: Int64 = 600
    /// Wrong codes an `mfa_token` takes before it dies.
    public static let maxWrongCodes = 5
    static let wrongCode = "Invalid code."
    static let nothingPending = "No TOTP enrollment is pending: enroll first."
    static let noFactor = "No second factor is enrolled."

    func factorCodec() throws -> any SecondFactorCodec {
        guard let factors else { throw AuthError(.internal, "no MFA key is configured") }
        return factors
    }

    /// The user a token names, for the MFA methods: the factor is always the token's own.
    func tokenOwner(_ token: Token) async throws -> (StoredUser, AccessClaims) {
        guard let raw = token.value, let found = try await activeToken(raw) else { throw AuthError.unauthenticated }
        return found
    }

    /// A call about the token's own factor with a required code: its user and claims, the
    /// code and the end client, in the contract's order (authentication, then validation).
    private func ownCode(_ token: Token, _ code: Field<String>, _ client: Field<String>) async throws
        -> (StoredUser, AccessClaims, String, String?) {
        let (me, claims) = try await tokenOwner(token)
        var errors = FieldErrors()
        let given = code.requiring.read(&errors)
        let clientAddress = client.read(&errors)
        try errors.check()
        return (me, claims, given!, clientAddress)
    }

    /// `mfa.totp.enroll`: a new pending secret, after the current password.
    public func enrollTOTP(token: Token, currentPassword: Field<String>, client: Field<String>, caller: Caller) async throws -> TOTPEnrollment {
        let codec = try factorCodec()
        let (me, _) = try await tokenOwner(token)
        var errors = FieldErrors()
        let password = currentPassword.requiring.read(&errors)
        let clientAddress = client.read(&errors)
        try errors.check()
        if try await store.totp(userID: me.user.id)?.confirmed == true { throw Self.alreadyEnrolled }
        try await checkCurrentPassword(me, password!, currentPassword.name, client: clientAddress, caller: caller)
        let secret = codec.newSecret()
        guard try await store.storePendingTOTP(userID: me.user.id, sealed: codec.seal(secret, userID: me.user.id),
                                               pendingUntil: now + Self.enrollmentLifetime) else { throw Self.alreadyEnrolled }
        emit(.mfaEnrolled, me.user.id, caller, "pending until confirmed")
        return TOTPEnrollment(secret: codec.base32(secret),
                              uri: codec.provisioningURI(issuer: settings.mfaIssuer, account: me.user.username, secret: secret),
                              expiresIn: Self.enrollmentLifetime)
    }

    static let alreadyEnrolled = AuthError(.conflict, "TOTP is already enrolled; remove it first")

    /// `mfa.totp.confirm`: the first code makes TOTP required; the recovery codes, once.
    public func confirmTOTP(token: Token, code: Field<String>, client: Field<String>, caller: Caller) async throws -> [String] {
        let codec = try factorCodec()
        let (me, claims, given, clientAddress) = try await ownCode(token, code, client)
        guard let factor = try await store.totp(userID: me.user.id), !factor.confirmed, factor.pendingUntil > now,
              let secret = codec.open(factor.sealed, userID: me.user.id) else {
            throw AuthError.invalid([code.name: [Self.nothingPending]])
        }
        let step = try await checkCode(me, given, secret: secret, after: factor.lastStep, field: code.name, client: clientAddress, caller: caller)
        let recovery = codec.newRecoveryCodes()
        guard let ended = try await store.confirmTOTP(
            userID: me.user.id, step: step, recoveryHashes: recovery.compactMap(codec.recoveryHash), keeping: claims.sid,
            now: now, nowMilliseconds: nowMilliseconds)
        else { throw AuthError.invalid([code.name: [Self.wrongCode]]) }
        if ended > 0 { sessionActivity(.ended(.mfa, count: ended)) }
        emit(.mfaConfirmed, me.user.id, caller, "TOTP required from now on; \(ended) other sessions ended")
        return recovery
    }

    /// `mfa.totp.remove`: the user's own with a code or the password; a privileged peer's
    /// for anyone with `user_id` (a lost device).
    public func removeTOTP(token: Token, code: Field<String>, currentPassword: Field<String>, userID: Field<Int64>, client: Field<String>,
                           caller: Caller) async throws {
        var errors = FieldErrors()
        let named = userID.read(&errors)
        let clientAddress = client.read(&errors)
        let target: Int64
        if named != nil || token.isAbsent {
            let principal = try await authenticate(token, caller)
            guard case .privileged = principal else { throw AuthError.forbidden }
            try errors.check()
            guard let named else { throw AuthError.invalid([userID.name: [Validation.missing]]) }
            guard try await store.user(id: named) != nil else { throw AuthError.notFound }
            target = named
        } else {
            let (me, _) = try await tokenOwner(token)
            let given = code.read(&errors)
            let password = given == nil ? currentPassword.read(&errors) : nil
            if given == nil && password == nil && errors.isEmpty {
                errors.add(code.name, "Give code or current_password.")
            }
            try errors.check()
            guard let factor = try await store.totp(userID: me.user.id) else { throw AuthError.invalid([code.name: [Self.noFactor]]) }
            if let given {
                let codec = try factorCodec()
                guard let secret = codec.open(factor.sealed, userID: me.user.id) else { throw AuthError.invalid([code.name: [Self.noFactor]]) }
                let step = try await checkCode(me, given, secret: secret, after: factor.lastStep, field: code.name, client: clientAddress, caller: caller)
                // A pending factor has no steps to claim; a confirmed one's code is spent.
                if factor.confirmed, !(try await store.claimTOTPStep(userID: me.user.id, step: step)) {
                    throw AuthError.invalid([code.name: [Self.wrongCode]])
                }
            } else {
                try await checkCurrentPassword(me, password!, currentPassword.name, client: clientAddress, caller: caller)
            }
            target = me.user.id
        }
        guard try await store.removeTOTP(userID: target) else { throw AuthError.invalid([code.name: [Self.noFactor]]) }
        emit(.mfaRemoved, target, caller, named != nil ? "by an administrator" : nil)
    }

    /// `mfa.recovery.regenerate`: a new set for a code; the old set is void.
    public func regenerateRecoveryCodes(token: Token, code: Field<String>, client: Field<String>, caller: Caller) async throws -> [String] {
        let codec = try factorCodec()
        let (me, _, given, clientAddress) = try await ownCode(token, code, client)
        guard let factor = try await store.totp(userID: me.user.id), factor.confirmed, let secret = codec.open(factor.sealed, userID: me.user.id)
        else { throw AuthError.invalid([code.name: [Self.noFactor]]) }
        let step = try await checkCode(me, given, secret: secret, after: factor.lastStep, field: code.name, client: clientAddress, caller: caller)
        let recovery = codec.newRecoveryCodes()
        guard try await store.regenerateRecoveryCodes(userID: me.user.id, step: step, hashes: recovery.compactMap(codec.recoveryHash)) else {
            throw AuthError.invalid([code.name: [Self.wrongCode]])
        }
        emit(.recoveryCodesRegenerated, me.user.id, caller)
        return recovery
    }

    /// A code for one of the user's own changes, counted as a login attempt is (contract
    /// §9): -32029 while locked, a wrong one a failed login. Returns its step.
    private func checkCode(_ me: StoredUser, _ code: String, secret: [UInt8], after: Int64?, field: String, client: String?,
                           caller: Caller) async throws -> Int64 {
        let codec = try factorCodec()
        let rules = settings.throttle
        let keys = rules.keys(account: ThrottleKey.accountName(me.user.id), client: caller.throttleClient(client: client))
        let reservation = try await reserve(keys)
        guard let step = codec.matchingStep(code, secret: secret, now: now, after: after) else {
            wrongCode(me.user.id, replay: codec.matchingStep(code, secret: secret, now: now, after: nil) != nil, client: client, caller)
            reportLocks(reservation, me.user.id, caller)
            throw AuthError.invalid([field: [Self.wrongCode]])
        }
        try await store.releaseLogin(keys, rules: rules)
        return step
    }

    private func wrongCode(_ userID: Int64, replay: Bool, client: String?, _ caller: Caller) {
        let named = caller.mayNameClient ? client : nil
        if replay {
            events(AuthEvent(.mfaReplay, userID: userID, peerUID: caller.uid, detail: "a code of a step already used", client: named))
        }
        events(AuthEvent(.mfaFailed, userID: userID, peerUID: caller.uid, detail: replay ? "replayed code" : "wrong code", client: named))
    }

    /// `auth.mfa`: the second step of a login that answered `mfa_required`.
    public func completeMFA(mfaToken: Field<String>, code: Field<String>, recoveryCode: Field<String>, client: Field<String>,
                            label: Field<String>, caller: Caller) async throws -> LoginResult {
        let codec = try factorCodec()
        var errors = FieldErrors()
        let presented = mfaToken.read(&errors)
        let totpCode = code.read(&errors)
        let recovery = totpCode == nil ? recoveryCode.read(&errors) : nil
        if totpCode == nil && recovery == nil && errors.isEmpty { errors.add(code.name, "Give code or recovery_code.") }
        let clientAddress = client.read(&errors)
        let labelText = readLabel(label, &errors)
        try errors.check()
        let at = now
        guard let presented, Self.isOpaque(presented), presented.utf8.count <= 256,
              let challenge = try await store.mfaChallenge(hash: tokens.digest(presented), now: at) else {
            // An mfa_token authd never issued (or one spent) is a guess, as an unknown refresh token is.
            let keys = guessBucket("mfa", clientAddress, caller)
            if !keys.isEmpty { reportLocks(try await reserve(keys, of: "second factors"), nil, caller) }
            throw Self.badChallenge
        }
        let userID = challenge.userID
        let rules = settings.throttle
        let keys = rules.keys(account: ThrottleKey.accountName(userID), client: caller.throttleClient(client: clientAddress))
        let reservation = try await reserve(keys)
        var proof = FactorProof.wrong
        var replay = false
        if let totpCode, let factor = try await store.totp(userID: userID), factor.confirmed,
           let secret = codec.open(factor.sealed, userID: userID) {
            if let step = codec.matchingStep(totpCode, secret: secret, now: at, after: factor.lastStep) {
                proof = .step(step)
            } else {
                replay = codec.matchingStep(totpCode, secret: secret, now: at, after: nil) != nil
            }
        } else if let recovery, let hash = codec.recoveryHash(recovery) {
            proof = .recovery(hash: hash)
        }
        let opened = openingSession(for: userID, at: max(nowMilliseconds, at * 1000), client: challenge.client,
                                    label: (caller.mayNameClient ? labelText : nil) ?? challenge.label, amr: ["pwd", "otp"],
                                    withSessionToken: challenge.wantsSessionToken)
        let outcome = try await store.completeMFA(MFACompletion(
            challengeHash: challenge.tokenHash, client: sessionClient(clientAddress, caller), proof: proof, now: at,
            maxWrongCodes: Self.maxWrongCodes, keys: keys, rules: rules, opening: opened.new))
        switch outcome {
        case .unknownChallenge:
            reportLocks(reservation, userID, caller)
            throw Self.badChallenge
        case .wrongCode(let replayed, let killed):
            wrongCode(userID, replay: replay || replayed, client: clientAddress, caller)
            reportLocks(reservation, userID, caller)
            throw AuthError(.unauthenticated, killed ? Self.badChallenge.message : Self.wrongCode)
        case .completed(let capped, let left):
            sessionActivity(.opened)
            if !capped.isEmpty { sessionActivity(.ended(.cap, count: capped.count)) }
            if let left {
                emit(.recoveryCodeUsed, userID, caller, "\(left) recovery codes left")
            }
            emit(.loginSucceeded, userID, caller, left == nil ? "with TOTP" : "with a recovery code")
            guard let user = try await store.user(id: userID) else { throw Self.badChallenge }
            let session = opened.new.session
            return result(user.user, session, at: session.createdAt, jti: tokens.newOpaqueToken(), fresh: true,
                          refreshToken: opened.refreshToken, sessionToken: opened.sessionToken)
        }
    }

    static let badChallenge = AuthError(.unauthenticated, "Invalid or expired MFA token")

    /// Whether the user has a confirmed second factor (`users.status`).
    func factorNames(_ userID: Int64) async throws -> [String] {
        guard factors != nil else { return [] }
        return try await store.totp(userID: userID)?.confirmed == true ? ["totp"] : []
    }
}
