/// The statements of second factors (contract §9), in the dialect of the store. Times
/// are seconds; `confirmed` is 0 or 1. Each comment lists the bound values in order.
struct MFAStatements: Sendable {
    /// user id
    let factor: String
    /// user id, sealed secret, pending until: replaces a pending factor, never a confirmed
    /// one; returns `user_id` when stored
    let storePending: String
    /// user id, step, now: confirms a pending factor while it is pending and the step is
    /// above any accepted; returns `user_id`
    let confirm: String
    /// user id, step: the step becomes the highest accepted, only if it is above it; returns `user_id`
    let claimStep: String
    /// user id: returns `user_id`
    let remove: String
    /// user id
    let removeRecoveryCodes: String
    /// user id, code hash
    let insertRecoveryCode: String
    /// user id, code hash: returns `user_id` when the code was there
    let spendRecoveryCode: String
    /// user id: `n`
    let recoveryCodesLeft: String
    /// session id: the session's amr becomes pwd and otp
    let upgradeSession: String
    /// token hash, user id, client, label, wants a session token (0/1), created, expires
    let insertChallenge: String
    /// token hash, now
    let challenge: String
    /// token hash, now: the same, locked until the transaction ends (PostgreSQL)
    let challengeForUpdate: String
    /// token hash
    let failChallenge: String
    /// token hash
    let deleteChallenge: String
    /// user id, created: the user still enabled, without a password change since; returns `id`
    let userUnchangedSince: String
    /// user id, sealed secret, last step: an imported, confirmed factor
    let importFactor: String
    /// lowest id, highest id: confirmed factors, for export
    let factorsInRange: String
    /// lowest id, highest id
    let recoveryCodesInRange: String
    /// name, value
    let adoptMeta: String
    /// name
    let meta: String
    /// now
    let purgeChallenges: String
    /// now
    let purgePending: String

    init(_ d: some SQLDialect) {
        let p = d.placeholder
        factor = "SELECT sealed_secret, confirmed, pending_until, last_step FROM mfa_totp WHERE user_id = \(p(1))"
        storePending = """
            INSERT INTO mfa_totp AS t (user_id, sealed_secret, confirmed, pending_until) VALUES (\(p(1)), \(p(2)), 0, \(p(3)))
            ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret, pending_until = excluded.pending_until,
                last_step = NULL
            WHERE t.confirmed = 0
            RETURNING user_id
            """
        let above = "(last_step IS NULL OR last_step < \(p(2)))"
        confirm = """
            UPDATE mfa_totp SET confirmed = 1, last_step = \(p(2))
            WHERE user_id = \(p(1)) AND confirmed = 0 AND pending_until > \(p(3)) AND \(above) RETURNING user_id
            """
        claimStep = "UPDATE mfa_totp SET last_step = \(p(2)) WHERE user_id = \(p(1)) AND confirmed = 1 AND \(above) RETURNING user_id"
        remove = "DELETE FROM mfa_totp WHERE user_id = \(p(1)) RETURNING user_id"
        removeRecoveryCodes = "DELETE FROM mfa_recovery_codes WHERE user_id = \(p(1))"
        insertRecoveryCode = "INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES (\(p(1)), \(p(2)))"
        spendRecoveryCode = "DELETE FROM mfa_recovery_codes WHERE user_id = \(p(1)) AND code_hash = \(p(2)) RETURNING user_id"
        recoveryCodesLeft = "SELECT COUNT(*) AS n FROM mfa_recovery_codes WHERE user_id = \(p(1))"
        upgradeSession = "UPDATE sessions SET amr = 'pwd,otp' WHERE id = \(p(1))"
        insertChallenge = """
            INSERT INTO mfa_challenges (token_hash, user_id, client, label, session_token, created_at, expires_at)
            VALUES (\((1...7).map(p).joined(separator: ", ")))
            """
        challenge = """
            SELECT token_hash, user_id, client, label, session_token, created_at, expires_at, failures FROM mfa_challenges
            WHERE token_hash = \(p(1)) AND expires_at > \(p(2))
            """
        challengeForUpdate = challenge + d.forUpdate(of: "mfa_challenges")
        failChallenge = "UPDATE mfa_challenges SET failures = failures + 1 WHERE token_hash = \(p(1)) RETURNING failures"
        deleteChallenge = "DELETE FROM mfa_challenges WHERE token_hash = \(p(1))"
        userUnchangedSince = "SELECT id FROM users WHERE id = \(p(1)) AND disabled_at IS NULL AND tokens_valid_after < \(p(2))"
        importFactor = """
            INSERT INTO mfa_totp (user_id, sealed_secret, confirmed, pending_until, last_step) VALUES (\(p(1)), \(p(2)), 1, 0, \(p(3)))
            """
        factorsInRange = "SELECT user_id, sealed_secret FROM mfa_totp WHERE confirmed = 1 AND user_id BETWEEN \(p(1)) AND \(p(2))"
        recoveryCodesInRange = "SELECT user_id, code_hash FROM mfa_recovery_codes WHERE user_id BETWEEN \(p(1)) AND \(p(2)) ORDER BY code_hash"
        adoptMeta = "INSERT INTO authd_meta (name, value) VALUES (\(p(1)), \(p(2))) ON CONFLICT (name) DO NOTHING"
        meta = "SELECT value FROM authd_meta WHERE name = \(p(1))"
        purgeChallenges = "DELETE FROM mfa_challenges WHERE expires_at < \(p(1))"
        purgePending = "DELETE FROM mfa_totp WHERE confirmed = 0 AND pending_until < \(p(1))"
    }
}
