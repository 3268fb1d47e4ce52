import AuthCore

extension SQLStore {
    public func reserveLogin(_ keys: [ThrottleKey], rules: LoginThrottle, now: Int64) async throws -> LoginReservation {
        try await run { [sql] db in
            // SQLite holds the write lock for the whole transaction; PostgreSQL locks each
            // row at its upsert, and the upsert itself refuses a locked row, so concurrent
            // attempts on a key are counted one after another.
            try db.relaxedWriteTransaction {
                var locks: [LoginReservation.Lock] = []
                for key in keys {
                    guard let row = try db.query(sql.reserveAttempt, Self.values(key) + [.integer(now), .integer(rules.window)]).first else {
                        let until = try db.query(sql.lockedUntil, Self.values(key)).first?.int("locked_until") ?? now + 1
                        throw LoginRefused(until: until)
                    }
                    let failures = Int(row.int("failures") ?? 1)
                    if let lock = LoginReservation.Lock(key: key, failures: failures, rules: rules) {
                        try db.query(sql.lock, Self.values(key) + [.integer(now + lock.seconds)])
                        locks.append(lock)
                    }
                }
                return LoginReservation(locks: locks)
            }
        }
    }

    public func completeLogin(_ user: StoredUser, keys: [ThrottleKey], rules: LoginThrottle, opening session: NewSession) async throws -> [String]? {
        let id = user.user.id
        let ended = try await run { [self] db in
            // Durable: the cap may end sessions here. The user's row stays locked on
            // PostgreSQL until the commit, so that logins at once cannot pass the cap.
            try db.writeTransaction { () -> [(id: String, until: Int64)]? in
                // A factor confirmed since the password was checked wants its code.
                guard let row = try db.query(sql.userByIDForUpdate, [.integer(id)]).first,
                      row.text("password_hash") == user.passwordHash, row.int("tokens_valid_after") == user.tokensValidAfter,
                      row.int("disabled_at") == nil, try db.query(sql.mfa.factor, [.integer(id)]).first?.int("confirmed") != 1 else {
                    return nil
                }
                return try finishLogin(session, keys: keys, rules: rules, db)
            }
        }
        if let ended { remember(ended) }
        return ended?.map(\.id)
    }

    /// The end of a successful login inside its transaction: the last login recorded, the
    /// pair's failures cleared and the other keys' attempt taken back, the session opened.
    /// Returns the sessions the cap ended.
    func finishLogin(_ session: NewSession, keys: [ThrottleKey], rules: LoginThrottle, _ db: Driver.Connection) throws
        -> [(id: String, until: Int64)] {
        // Not in the cached columns: a login must not drop the user from memory.
        try db.query(sql.admin.recordLogin, [.integer(session.session.userID), .integer(session.session.createdAt / 1000)])
        for key in keys {
            if key.scope == .pair {
                try db.query(sql.clearFailures, Self.values(key))
            } else {
                try Self.release(key, rules, db, sql)
            }
        }
        return try open(session, db)
    }

    public func releaseLogin(_ keys: [ThrottleKey], rules: LoginThrottle) async throws {
        try await run { [sql] db in
            try db.relaxedWriteTransaction {
                for key in keys { try Self.release(key, rules, db, sql) }
            }
        }
    }

    private static func release(_ key: ThrottleKey, _ rules: LoginThrottle, _ db: Driver.Connection, _ sql: SQLStatements) throws {
        try db.query(sql.releaseAttempt, values(key) + [.integer(Int64(rules.limit(for: key.scope)))])
    }

    public func throttleState(account id: Int64, now: Int64) async throws -> ThrottleState {
        try await run { [sql] db in
            let wide = try db.query(sql.throttleState, Self.values(.account(id))).first
            let pairs = try db.query(sql.latestPairLock, [.text(ThrottleKey.pairPrefix(id) + "%")]).first
            let wideLock = wide?.int("locked_until") ?? 0
            return ThrottleState(failures: Int(wide?.int("failures") ?? 0),
                                 lockedUntil: wideLock > now ? wideLock : pairs?.int("locked_until") ?? 0)
        }
    }

    public func clearFailures(account id: Int64) async throws {
        try await run { [sql] db in
            try db.query(sql.clearAccount, [.text(ThrottleKey.accountName(id)), .text(ThrottleKey.pairPrefix(id) + "%")])
        }
    }

    /// A key's bound values: scope, key.
    private static func values(_ key: ThrottleKey) -> [SQLValue] {
        [.text(key.scope.rawValue), .text(key.key)]
    }
}
