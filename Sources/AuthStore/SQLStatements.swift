/// Every statement of the store, written once and put into the driver's dialect when
/// the store opens (not per call). Each comment lists the bound values in order.
struct SQLStatements: Sendable {
    /// username, email, password_hash, created_at (epoch seconds)
    let insertUser: String
    /// id
    let userByID: String
    /// username
    let userByUsername: String
    /// email
    let userByEmail: String
    /// after id, limit
    let listUsers: String
    /// id, then username, email, password_hash, tokens_valid_after (NULL: unchanged)
    let updateUser: String
    /// id, old hash, new hash
    let replaceHash: String
    /// id
    let deleteUser: String
    /// username, the id of the user it may belong to
    let usernameTakenByAnother: String
    /// id (NULL: the next), username, email, password_hash, created_at, groups (comma-separated),
    /// disabled_at (NULL: enabled), disabled_reason; no row on a clash
    let importUser: String
    /// the largest id an import keeps
    let moveIDSequence: String?

    /// jti, expires_at
    let revoke: String
    /// user id, jti
    let tokenState: String
    /// now
    let liveRevocations: String
    /// before
    let purgeRevocations: String
    /// before
    let purgeFailures: String
    let ping = "SELECT 1"
    /// id (PostgreSQL locks the row until the transaction ends)
    let userByIDForUpdate: String
    /// The sessions' and refresh tokens' statements.
    let sessions: SessionStatements
    /// Disabling, groups and password resets (contract §8).
    let admin: AdminStatements
    /// Second factors (contract §9).
    let mfa: MFAStatements

    /// scope, key
    let lockedUntil: String
    /// scope, key, now, window; no row when the key is locked
    let reserveAttempt: String
    /// scope, key, limit
    let releaseAttempt: String
    /// scope, key, until
    let lock: String
    /// scope, key
    let clearFailures: String
    /// scope, key
    let throttleState: String
    /// pair key pattern (`id:N|%`)
    let latestPairLock: String
    /// account key, pair key pattern
    let clearAccount: String

    init(_ d: some SQLDialect) {
        let p = d.placeholder
        let columns = "id, username, email, password_hash, \(d.epochSeconds("created_at")) AS created_at, tokens_valid_after, "
            + "unbound_tokens_valid_after, user_groups, disabled_at, disabled_reason"
        insertUser = """
            INSERT INTO users (username, email, password_hash, created_at)
            VALUES (\(p(1)), \(p(2)), \(p(3)), \(d.timestamp(epochSeconds: p(4)))) RETURNING \(columns)
            """
        userByID = "SELECT \(columns) FROM users WHERE id = \(p(1))"
        userByIDForUpdate = userByID + d.forUpdate(of: "users")
        sessions = SessionStatements(d)
        admin = AdminStatements(d, userColumns: columns)
        mfa = MFAStatements(d)
        userByUsername = "SELECT \(columns) FROM users WHERE \(d.equalsIgnoringCase("username", p(1)))"
        userByEmail = "SELECT \(columns) FROM users WHERE \(d.equalsIgnoringCase("email", p(1)))"
        listUsers = "SELECT \(columns) FROM users WHERE id > \(p(1)) ORDER BY id LIMIT \(p(2))"
        updateUser = """
            UPDATE users SET username = COALESCE(\(p(2)), username), email = COALESCE(\(p(3)), email),
                password_hash = COALESCE(\(p(4)), password_hash),
                tokens_valid_after = COALESCE(\(p(5)), tokens_valid_after)
            WHERE id = \(p(1)) RETURNING \(columns)
            """
        replaceHash = "UPDATE users SET password_hash = \(p(3)) WHERE id = \(p(1)) AND password_hash = \(p(2))"
        deleteUser = "DELETE FROM users WHERE id = \(p(1)) RETURNING id"
        usernameTakenByAnother = "SELECT 1 FROM users WHERE \(d.equalsIgnoringCase("username", p(1))) AND id <> \(p(2))"
        importUser = """
            INSERT INTO users (id, username, email, password_hash, created_at, user_groups, disabled_at, disabled_reason) \(d.keepingID)
            SELECT \(d.idOrNext(p(1))), \(p(2)), \(p(3)), \(p(4)), \(d.timestamp(epochSeconds: p(5))), \(p(6)), \(p(7)), \(p(8))
            WHERE NOT EXISTS (SELECT 1 FROM deleted_user_ids WHERE id = \(p(1)))
            ON CONFLICT DO NOTHING RETURNING \(columns)
            """
        moveIDSequence = d.moveIDSequence(past: p(1))

        revoke = "INSERT INTO revoked_tokens (jti, expires_at) VALUES (\(p(1)), \(p(2))) ON CONFLICT (jti) DO NOTHING"
        tokenState = """
            SELECT \(columns), EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = \(p(2))) AS revoked
            FROM users WHERE id = \(p(1))
            """
        liveRevocations = "SELECT jti FROM revoked_tokens WHERE expires_at >= \(p(1))"
        purgeRevocations = "DELETE FROM revoked_tokens WHERE expires_at < \(p(1))"
        // Failure counts a day old are past any window; keep only live locks.
        purgeFailures = "DELETE FROM login_failures WHERE window_start < \(p(1)) - 86400 AND locked_until < \(p(1))"

        let throttleKey = "scope = \(p(1)) AND key = \(p(2))"
        lockedUntil = "SELECT locked_until FROM login_failures WHERE \(throttleKey)"
        // Counts an attempt unless the key is locked; a window past its end starts anew.
        reserveAttempt = """
            INSERT INTO login_failures AS f (scope, key, failures, window_start) VALUES (\(p(1)), \(p(2)), 1, \(p(3)))
            ON CONFLICT (scope, key) DO UPDATE SET
                failures = CASE WHEN f.window_start <= \(p(3)) - \(p(4)) THEN 1 ELSE f.failures + 1 END,
                window_start = CASE WHEN f.window_start <= \(p(3)) - \(p(4)) THEN \(p(3)) ELSE f.window_start END
            WHERE f.locked_until <= \(p(3))
            RETURNING failures
            """
        // A lock the taken-back attempt set goes with it.
        releaseAttempt = """
            UPDATE login_failures SET failures = failures - 1,
                locked_until = CASE WHEN failures - 1 < \(p(3)) THEN 0 ELSE locked_until END
            WHERE \(throttleKey) AND failures > 0
            """
        lock = "UPDATE login_failures SET locked_until = \(d.greatest("locked_until", p(3))) WHERE \(throttleKey)"
        clearFailures = "DELETE FROM login_failures WHERE \(throttleKey)"
        throttleState = "SELECT failures, locked_until FROM login_failures WHERE \(throttleKey)"
        latestPairLock = "SELECT MAX(locked_until) AS locked_until FROM login_failures WHERE scope = 'pair' AND key LIKE \(p(1))"
        clearAccount = """
            DELETE FROM login_failures WHERE (scope = 'account' AND key = \(p(1))) OR (scope = 'pair' AND key LIKE \(p(2)))
            """
    }
}
