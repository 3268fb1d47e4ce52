import AuthCore

extension SQLStore {
    public func totp(userID: Int64) async throws -> TOTPFactor? {
        try await run { [sql] db in
            try db.query(sql.mfa.factor, [.integer(userID)]).first.map { row in
                TOTPFactor(sealed: row.text("sealed_secret") ?? "", confirmed: row.int("confirmed") == 1,
                           pendingUntil: row.int("pending_until") ?? 0, lastStep: row.int("last_step"))
            }
        }
    }

    public func storePendingTOTP(userID: Int64, sealed: String, pendingUntil: Int64) async throws -> Bool {
        try await run { [sql] db in
            try db.writeTransaction {
                !(try db.query(sql.mfa.storePending, [.integer(userID), .text(sealed), .integer(pendingUntil)])).isEmpty
            }
        }
    }

    public func confirmTOTP(userID: Int64, step: Int64, recoveryHashes: [String], keeping: String?, now: Int64, nowMilliseconds: Int64)
        async throws -> Int? {
        let ended = try await run { [self] db in
            try db.writeTransaction { () -> [(id: String, until: Int64)]? in
                guard !(try db.query(sql.mfa.confirm, [.integer(userID), .integer(step), .integer(now)])).isEmpty else { return nil }
                try replaceRecoveryCodes(userID, recoveryHashes, db)
                if let keeping { try db.query(sql.mfa.upgradeSession, [.text(keeping)]) }
                let rows = try db.query(sql.sessions.endAllOfUser, [.integer(userID), .integer(nowMilliseconds),
                                                                    .text(SessionEndReason.mfa.rawValue), .text(keeping ?? "")])
                try db.query(sql.sessions.cutUnbound, [.integer(userID), .integer(now)])
                try db.announce(.user(userID))
                return EndedSessionsLoader.entries(rows)
            }
        }
        guard let ended else { return nil }
        cache.userChanged(userID)
        remember(ended)
        return ended.count
    }

    public func claimTOTPStep(userID: Int64, step: Int64) async throws -> Bool {
        try await run { [sql] db in
            try db.writeTransaction { !(try db.query(sql.mfa.claimStep, [.integer(userID), .integer(step)])).isEmpty }
        }
    }

    public func regenerateRecoveryCodes(userID: Int64, step: Int64, hashes: [String]) async throws -> Bool {
        try await run { [self] db in
            try db.writeTransaction {
                guard !(try db.query(sql.mfa.claimStep, [.integer(userID), .integer(step)])).isEmpty else { return false }
                try replaceRecoveryCodes(userID, hashes, db)
                return true
            }
        }
    }

    private func replaceRecoveryCodes(_ userID: Int64, _ hashes: [String], _ db: Driver.Connection) throws {
        try db.query(sql.mfa.removeRecoveryCodes, [.integer(userID)])
        for hash in hashes { try db.query(sql.mfa.insertRecoveryCode, [.integer(userID), .text(hash)]) }
    }

    public func removeTOTP(userID: Int64) async throws -> Bool {
        try await run { [sql] db in
            try db.writeTransaction {
                try db.query(sql.mfa.removeRecoveryCodes, [.integer(userID)])
                return !(try db.query(sql.mfa.remove, [.integer(userID)])).isEmpty
            }
        }
    }

    public func storeMFAChallenge(_ c: MFAChallenge, createdAt: Int64) async throws {
        try await run { [sql] db in
            try db.query(sql.mfa.insertChallenge, [.text(c.tokenHash), .integer(c.userID), .text(c.client), SQLValue(c.label),
                                                   .integer(c.wantsSessionToken ? 1 : 0), .integer(createdAt), .integer(c.expiresAt)])
        }
    }

    public func mfaChallenge(hash: String, now: Int64) async throws -> MFAChallenge? {
        try await run { [sql] db in try db.query(sql.mfa.challenge, [.text(hash), .integer(now)]).first.map(Self.challenge) }
    }

    static func challenge(_ row: SQLRow) -> MFAChallenge {
        MFAChallenge(tokenHash: row.text("token_hash") ?? "", userID: row.int("user_id") ?? 0, client: row.text("client") ?? "",
                     label: row.text("label"), wantsSessionToken: row.int("session_token") == 1, expiresAt: row.int("expires_at") ?? 0)
    }

    public func completeMFA(_ a: MFACompletion) async throws -> MFAOutcome {
        let (outcome, ended) = try await run { [self] db -> (MFAOutcome, [(id: String, until: Int64)]) in
            try db.writeTransaction {
                // Under the challenge's row lock on PostgreSQL: presentations of one token
                // are settled one after another, on any instance.
                guard let row = try db.query(sql.mfa.challengeForUpdate, [.text(a.challengeHash), .integer(a.now)]).first,
                      (row.int("failures") ?? 0) < Int64(a.maxWrongCodes) else { return (.unknownChallenge, []) }
                let challenge = Self.challenge(row)
                func wrong(replay: Bool) throws -> (MFAOutcome, [(id: String, until: Int64)]) {
                    let failures = try db.query(sql.mfa.failChallenge, [.text(a.challengeHash)]).first?.int("failures") ?? Int64(a.maxWrongCodes)
                    let killed = failures >= Int64(a.maxWrongCodes)
                    if killed { try db.query(sql.mfa.deleteChallenge, [.text(a.challengeHash)]) }
                    return (.wrongCode(replay: replay, killed: killed), [])
                }
                guard challenge.client == a.client else { return try wrong(replay: false) }
                var left: Int?
                switch a.proof {
                case .wrong: return try wrong(replay: false)
                case .step(let step):
                    // The claim decides races: of two uses of one step, one finds it above the highest.
                    if try db.query(sql.mfa.claimStep, [.integer(challenge.userID), .integer(step)]).isEmpty { return try wrong(replay: true) }
                case .recovery(let hash):
                    if try db.query(sql.mfa.spendRecoveryCode, [.integer(challenge.userID), .text(hash)]).isEmpty {
                        return try wrong(replay: false)
                    }
                    left = Int(try db.query(sql.mfa.recoveryCodesLeft, [.integer(challenge.userID)]).first?.int("n") ?? 0)
                }
                try db.query(sql.mfa.deleteChallenge, [.text(a.challengeHash)])
                // Disabled, or a password change since the password step: the login is void.
                guard try !db.query(sql.mfa.userUnchangedSince, [.integer(challenge.userID), .integer(row.int("created_at") ?? 0)]).isEmpty
                else { return (.unknownChallenge, []) }
                let ended = try finishLogin(a.opening, keys: a.keys, rules: a.rules, db)
                return (.completed(capEnded: ended.map(\.id), recoveryCodesLeft: left), ended)
            }
        }
        remember(ended)
        return outcome
    }

    public func factors(ofUsers ids: ClosedRange<Int64>) async throws -> [Int64: MovedFactor] {
        try await run { [sql] db in
            let bounds: [SQLValue] = [.integer(ids.lowerBound), .integer(ids.upperBound)]
            var codes: [Int64: [String]] = [:]
            for row in try db.query(sql.mfa.recoveryCodesInRange, bounds) {
                if let id = row.int("user_id"), let hash = row.text("code_hash") { codes[id, default: []].append(hash) }
            }
            var factors: [Int64: MovedFactor] = [:]
            for row in try db.query(sql.mfa.factorsInRange, bounds) {
                if let id = row.int("user_id"), let sealed = row.text("sealed_secret") {
                    factors[id] = MovedFactor(sealed: sealed, recoveryHashes: codes[id] ?? [])
                }
            }
            return factors
        }
    }

    /// An imported row's factor, inside the import's transaction.
    func importFactor(_ factor: MovedFactor, of userID: Int64, _ db: Driver.Connection) throws {
        try db.query(sql.mfa.importFactor, [.integer(userID), .text(factor.sealed), SQLValue(factor.lastStep)])
        for hash in factor.recoveryHashes { try db.query(sql.mfa.insertRecoveryCode, [.integer(userID), .text(hash)]) }
    }

    public func adoptMFAKeyFingerprint(_ fingerprint: String) async throws -> Bool {
        let name = "mfa_key_fingerprint"
        return try await run { [sql] db in
            try db.writeTransaction {
                try db.query(sql.mfa.adoptMeta, [.text(name), .text(fingerprint)])
                return try db.query(sql.mfa.meta, [.text(name)]).first?.text("value") == fingerprint
            }
        }
    }
}
