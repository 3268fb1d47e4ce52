/// The statements of account administration (contract §8): disabling, groups, the last
/// login and password resets, in the dialect of the store. Times are seconds. Each
/// comment lists the bound values in order.
struct AdminStatements: Sendable {
    /// id, now, reason: every token issued until now is void; returns `id`
    let disable: String
    /// id: returns `id`
    let enable: String
    /// id, groups (comma-separated): returns `id`
    let setGroups: String
    /// id, now
    let recordLogin: String
    /// id
    let lastLogin: String
    /// user id, token hash, expires at: the user's one reset token
    let storeReset: String
    /// token hash, now: spends it while valid and its user enabled; returns `user_id`
    let spendReset: String
    /// user id
    let voidReset: String
    /// id, password hash, now: the reset's new password (not for a disabled user)
    let resetPassword: String
    /// before
    let purgeResets: String

    init(_ d: some SQLDialect, userColumns columns: String) {
        let p = d.placeholder
        disable = """
            UPDATE users SET disabled_at = COALESCE(disabled_at, \(p(2))), disabled_reason = \(p(3)),
                tokens_valid_after = \(d.greatest("tokens_valid_after", p(2))),
                unbound_tokens_valid_after = \(d.greatest("unbound_tokens_valid_after", p(2)))
            WHERE id = \(p(1)) RETURNING id
            """
        enable = "UPDATE users SET disabled_at = NULL, disabled_reason = NULL WHERE id = \(p(1)) RETURNING id"
        setGroups = "UPDATE users SET user_groups = \(p(2)) WHERE id = \(p(1)) RETURNING id"
        recordLogin = "UPDATE users SET last_login_at = \(p(2)) WHERE id = \(p(1))"
        lastLogin = "SELECT last_login_at FROM users WHERE id = \(p(1))"
        storeReset = """
            INSERT INTO password_resets (user_id, token_hash, expires_at) VALUES (\(p(1)), \(p(2)), \(p(3)))
            ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, expires_at = excluded.expires_at
            """
        spendReset = """
            DELETE FROM password_resets WHERE token_hash = \(p(1)) AND expires_at > \(p(2))
                AND user_id IN (SELECT id FROM users WHERE disabled_at IS NULL)
            RETURNING user_id
            """
        voidReset = "DELETE FROM password_resets WHERE user_id = \(p(1))"
        resetPassword = """
            UPDATE users SET password_hash = \(p(2)), tokens_valid_after = \(d.greatest("tokens_valid_after", p(3))),
                unbound_tokens_valid_after = \(d.greatest("unbound_tokens_valid_after", p(3)))
            WHERE id = \(p(1)) AND disabled_at IS NULL RETURNING \(columns)
            """
        purgeResets = "DELETE FROM password_resets WHERE expires_at < \(p(1))"
    }
}
