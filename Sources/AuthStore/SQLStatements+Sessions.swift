/// The statements of sessions and refresh tokens (contract §7), in the dialect of the
/// store. Times are milliseconds since the epoch; a session is active while it has not
/// ended and neither expiry has passed, and only when it began after its user's last
/// password change (`tokens_valid_after`, in seconds). Each comment lists the bound
/// values in order.
struct SessionStatements: Sendable {
    /// id, user id, created, last used, idle expiry, lifetime end, access until, client, label, amr, session token hash
    let insert: String
    /// token hash, session id
    let insertRefresh: String
    /// user id, now: the ids of the active sessions, most recently used first
    let activeIDs: String
    /// id, now, reason: ends it if active; returns its columns and `access_until`
    let end: String
    /// id, now, reason, user id: the same for the user's session only
    let endOfUser: String
    /// user id, now, reason, the id to keep (or ''): returns each ended `id`, `access_until`
    let endAllOfUser: String
    /// user id, seconds: tokens without a session issued until then are void
    let cutUnbound: String
    /// user id, now
    let list: String
    /// refresh token hash: locks the row of the session it belongs to (PostgreSQL) and reads
    /// it with whether it began after its user's cut
    let lockForRefresh: String
    /// token hash, now, client, successor hash, idle expiry, access until, label (NULL:
    /// unchanged): the common refresh in one statement where the dialect writes in WITH
    /// (PostgreSQL). It locks the session's row, retires the token only if it is current
    /// and its session live, adds the successor and touches the session, returning the
    /// session as it is after; no row when anything else holds, and nothing written: the
    /// transaction of `lockForRefresh` then decides (a retry, a reuse, an expiry).
    let rotate: String?
    /// token hash, now, client, successor hash: elsewhere (SQLite, inside the refresh's
    /// write transaction) the same rotation's first step: retires the token only if it is
    /// current and its session live, returning its `session_id`; then `insertRefresh` and
    /// `touchRefreshed` finish it
    let retireIfLive: String
    /// token hash
    let refreshToken: String
    /// token hash, now, client, successor hash
    let retire: String
    /// id, now, idle expiry, access until, label (NULL: unchanged): returns the session's columns
    let touchRefreshed: String
    /// session token hash
    let bySessionToken: String
    /// id, now, idle expiry: at most once a minute
    let touchUsed: String
    /// id: the session in any state
    let byID: String
    /// id
    let endedAt: String
    /// Every ended session whose row is kept: `id`, `access_until`.
    let allEnded: String
    /// user id: the same for one user
    let endedOfUser: String
    /// now
    let purge: String

    init(_ d: some SQLDialect) {
        let p = d.placeholder
        let columns = "s.id, s.user_id, s.created_at, s.last_used_at, s.idle_expires_at, s.expires_at, s.client, s.label, s.amr"
        let returning = "id, user_id, created_at, last_used_at, idle_expires_at, expires_at, client, label, amr, access_until"
        let activeAt = { (now: String) in "s.ended_at IS NULL AND s.idle_expires_at > \(now) AND s.expires_at > \(now)" }
        let afterCut = "s.created_at >= (u.tokens_valid_after + 1) * 1000"
        insert = """
            INSERT INTO sessions (id, user_id, created_at, last_used_at, idle_expires_at, expires_at, access_until,
                client, label, amr, session_token_hash)
            VALUES (\((1...11).map(p).joined(separator: ", ")))
            """
        insertRefresh = "INSERT INTO refresh_tokens (token_hash, session_id) VALUES (\(p(1)), \(p(2)))"
        activeIDs = """
            SELECT s.id FROM sessions s WHERE s.user_id = \(p(1)) AND \(activeAt(p(2)))
            ORDER BY s.last_used_at DESC, s.created_at DESC
            """
        let endWhere = "ended_at IS NULL AND idle_expires_at > \(p(2)) AND expires_at > \(p(2))"
        end = "UPDATE sessions SET ended_at = \(p(2)), end_reason = \(p(3)) WHERE id = \(p(1)) AND \(endWhere) RETURNING \(returning)"
        endOfUser = """
            UPDATE sessions SET ended_at = \(p(2)), end_reason = \(p(3))
            WHERE id = \(p(1)) AND user_id = \(p(4)) AND \(endWhere) RETURNING \(returning)
            """
        endAllOfUser = """
            UPDATE sessions SET ended_at = \(p(2)), end_reason = \(p(3))
            WHERE user_id = \(p(1)) AND id <> \(p(4)) AND \(endWhere) RETURNING id, access_until
            """
        cutUnbound = """
            UPDATE users SET unbound_tokens_valid_after = \(d.greatest("unbound_tokens_valid_after", p(2))) WHERE id = \(p(1))
            """
        list = """
            SELECT \(columns) FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.user_id = \(p(1)) AND \(activeAt(p(2))) AND \(afterCut)
            ORDER BY s.last_used_at DESC, s.created_at DESC
            """
        lockForRefresh = """
            SELECT \(columns), s.ended_at, CASE WHEN \(afterCut) THEN 1 ELSE 0 END AS after_cut
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id = (SELECT session_id FROM refresh_tokens WHERE token_hash = \(p(1)))\(d.forUpdate(of: "s"))
            """
        let retiring = """
            UPDATE refresh_tokens SET retired_at = \(p(2)), retired_client = \(p(3)), successor_hash = \(p(4))
            WHERE token_hash = \(p(1)) AND retired_at IS NULL
            """
        // Two presentations at once: the second waits on the session's row, and its UPDATE
        // then finds the token retired (READ COMMITTED re-checks `retired_at IS NULL` on the
        // row the first committed), so it writes nothing and falls back.
        rotate = !d.writesInWith ? nil : """
            WITH live AS (
                SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.id = (SELECT session_id FROM refresh_tokens WHERE token_hash = \(p(1)))
                    AND \(activeAt(p(2))) AND \(afterCut)\(d.forUpdate(of: "s"))
            ), retired AS (
                \(retiring) AND session_id IN (SELECT id FROM live)
                RETURNING session_id
            ), successor AS (
                INSERT INTO refresh_tokens (token_hash, session_id) SELECT \(p(4)), session_id FROM retired
            )
            UPDATE sessions SET last_used_at = \(p(2)), idle_expires_at = \(p(5)),
                access_until = \(d.greatest("access_until", p(6))), label = COALESCE(\(p(7)), label)
            WHERE id IN (SELECT session_id FROM retired)
            RETURNING \(returning)
            """
        retireIfLive = """
            \(retiring) AND EXISTS (
                SELECT 1 FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.id = refresh_tokens.session_id AND \(activeAt(p(2))) AND \(afterCut))
            RETURNING session_id
            """
        refreshToken = "SELECT retired_at, retired_client, successor_hash FROM refresh_tokens WHERE token_hash = \(p(1))"
        retire = retiring
        touchRefreshed = """
            UPDATE sessions SET last_used_at = \(p(2)), idle_expires_at = \(p(3)),
                access_until = \(d.greatest("access_until", p(4))), label = COALESCE(\(p(5)), label)
            WHERE id = \(p(1))
            RETURNING \(returning)
            """
        bySessionToken = """
            SELECT \(columns), s.ended_at, CASE WHEN \(afterCut) THEN 1 ELSE 0 END AS after_cut
            FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.session_token_hash = \(p(1))
            """
        touchUsed = """
            UPDATE sessions SET last_used_at = \(p(2)), idle_expires_at = \(p(3))
            WHERE id = \(p(1)) AND ended_at IS NULL AND last_used_at <= \(p(2)) - 60000
            """
        byID = "SELECT \(columns) FROM sessions s WHERE s.id = \(p(1))"
        endedAt = "SELECT ended_at FROM sessions WHERE id = \(p(1))"
        allEnded = "SELECT id, access_until FROM sessions WHERE ended_at IS NOT NULL"
        endedOfUser = "SELECT id, access_until FROM sessions WHERE user_id = \(p(1)) AND ended_at IS NOT NULL"
        // An ended session's row stays while its access tokens could still be presented,
        // so that a restart still knows it ended; its refresh tokens go with it.
        purge = """
            DELETE FROM sessions WHERE access_until < \(p(1))
                AND (ended_at IS NOT NULL OR idle_expires_at < \(p(1)) OR expires_at < \(p(1)))
            RETURNING ended_at
            """
    }
}
