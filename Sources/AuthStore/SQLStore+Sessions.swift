import AuthCore

/// Loads ended sessions into memory: at start, and on PostgreSQL after any gap in the
/// change stream and at each announcement (on the listener's own connection).
public struct EndedSessionsLoader: Sendable {
    public let ended: EndedSessions
    let sql: SessionStatements
    /// A user by id, and how its row reads, for `reloadUser`.
    let userByID: String
    let decodeUser: @Sendable (SQLRow) -> StoredUser

    init(ended: EndedSessions, _ sql: SessionStatements, userByID: String, decodeUser: @escaping @Sendable (SQLRow) -> StoredUser) {
        self.ended = ended
        self.sql = sql
        self.userByID = userByID
        self.decodeUser = decodeUser
    }

    /// Applies another instance's change of a user to `cache`: a user it remembered is
    /// read again and replaces the old state in one step, so that their tokens are still
    /// checked from memory alone (a new group, a disable: contract §8); any other is
    /// dropped. Call it after the user's ended sessions are loaded.
    public func reloadUser(_ id: Int64, into cache: TokenStateCache, _ db: some SQLConnection) throws {
        guard cache.user(id) != nil else { return cache.userChanged(id) }
        let generation = cache.generation
        do {
            cache.replace(userID: id, user: try db.query(userByID, [.integer(id)]).first.map(decodeUser), readAt: generation)
        } catch {
            cache.userChanged(id)
            throw error
        }
    }

    public func loadAll(_ db: some SQLConnection) throws {
        ended.add(Self.entries(try db.query(sql.allEnded, [])))
    }

    public func load(userID: Int64, _ db: some SQLConnection) throws {
        ended.add(Self.entries(try db.query(sql.endedOfUser, [.integer(userID)])))
    }

    static func entries(_ rows: [SQLRow]) -> [(id: String, until: Int64)] {
        rows.compactMap { row in row.text("id").map { ($0, row.int("access_until") ?? 0) } }
    }
}

extension SQLStore {
    static func session(_ row: SQLRow) -> Session {
        Session(
            id: row.text("id") ?? "", userID: row.int("user_id") ?? 0, createdAt: row.int("created_at") ?? 0,
            lastUsedAt: row.int("last_used_at") ?? 0, idleExpiresAt: row.int("idle_expires_at") ?? 0,
            lifetimeEndsAt: row.int("expires_at") ?? 0, client: row.text("client"), label: row.text("label"),
            amr: (row.text("amr") ?? "").split(separator: ",").map(String.init))
    }

    /// Opens a login's session inside its transaction, ending the least recently used
    /// sessions past the cap; returns those ended.
    func open(_ new: NewSession, _ db: Driver.Connection) throws -> [(id: String, until: Int64)] {
        let s = new.session
        let active = try db.query(sql.sessions.activeIDs, [.integer(s.userID), .integer(s.createdAt)]).compactMap { $0.text("id") }
        var ended: [(id: String, until: Int64)] = []
        for id in active.dropFirst(max(0, new.maxSessions - 1)) {
            let rows = try db.query(sql.sessions.end, [.text(id), .integer(s.createdAt), .text(SessionEndReason.cap.rawValue)])
            ended += EndedSessionsLoader.entries(rows)
        }
        try db.query(sql.sessions.insert, [
            .text(s.id), .integer(s.userID), .integer(s.createdAt), .integer(s.lastUsedAt), .integer(s.idleExpiresAt),
            .integer(s.lifetimeEndsAt), .integer(new.accessUntil), SQLValue(s.client), SQLValue(s.label),
            .text(s.amr.joined(separator: ",")), SQLValue(new.sessionTokenHash),
        ])
        try db.query(sql.sessions.insertRefresh, [.text(new.refreshHash), .text(s.id)])
        if !ended.isEmpty { try db.announce(.sessions(userID: s.userID)) }
        return ended
    }

    /// Remembers sessions that a committed write ended.
    func remember(_ ended: [(id: String, until: Int64)]) {
        endedSessions.add(ended)
    }

    public func refresh(_ a: RefreshAttempt) async throws -> RefreshOutcome {
        let (outcome, ended) = try await run { [sql] db -> (RefreshOutcome, [(id: String, until: Int64)]) in
            if let rotate = sql.sessions.rotate, let row = try db.query(rotate, [
                .text(a.presentedHash), .integer(a.now), .text(a.client), .text(a.successorHash),
                .integer(a.now + a.idleTimeout), .integer(a.accessUntil), SQLValue(a.label),
            ]).first {
                return (.rotated(Self.session(row), at: a.now), [])
            }
            return try db.writeTransaction {
                let retireValues: [SQLValue] = [.text(a.presentedHash), .integer(a.now), .text(a.client), .text(a.successorHash)]
                // A retired token's successor, and the session touched: the rotated session as it is now.
                func rotated(_ sessionID: String) throws -> (RefreshOutcome, [(id: String, until: Int64)]) {
                    try db.query(sql.sessions.insertRefresh, [.text(a.successorHash), .text(sessionID)])
                    let touched = try db.query(sql.sessions.touchRefreshed, [.text(sessionID), .integer(a.now), .integer(a.now + a.idleTimeout),
                                                                            .integer(a.accessUntil), SQLValue(a.label)])
                    guard let row = touched.first else { throw AuthError(.internal, "a rotated refresh token's session vanished") }
                    return (.rotated(Self.session(row), at: a.now), [])
                }
                // Where WITH cannot write (SQLite, whose write transaction holds the only write
                // lock), the common rotation in three statements; anything else falls through.
                if sql.sessions.rotate == nil,
                   let sessionID = try db.query(sql.sessions.retireIfLive, retireValues).first?.text("session_id") {
                    return try rotated(sessionID)
                }
                // On PostgreSQL the session row stays locked until the commit: a second
                // presentation of the token, on any instance, waits here and then reads (in
                // a statement of its own, so as it is after the lock) the rotation this one made.
                guard let row = try db.query(sql.sessions.lockForRefresh, [.text(a.presentedHash)]).first,
                      let token = try db.query(sql.sessions.refreshToken, [.text(a.presentedHash)]).first else {
                    return (.unknown, [])
                }
                let session = Self.session(row)
                let sessionID = session.id
                if row.int("ended_at") != nil || row.int("after_cut") != 1 { return (.revoked, []) }
                if session.expiresAt <= a.now { return (.expired, []) }
                guard let retiredAt = token.int("retired_at") else {
                    try db.query(sql.sessions.retire, retireValues)
                    return try rotated(sessionID)
                }
                // A retry: the token retired last (its successor still current), soon enough,
                // from the client that rotated it.
                let successor = token.text("successor_hash")
                let successorIsCurrent = try successor.map {
                    try db.query(sql.sessions.refreshToken, [.text($0)]).first.map { $0.int("retired_at") == nil } ?? false
                } ?? false
                if successorIsCurrent, successor == a.successorHash, token.text("retired_client") == a.client,
                   a.now - retiredAt <= a.reuseInterval {
                    return (.retried(session, at: retiredAt), [])
                }
                let rows = try db.query(sql.sessions.end, [.text(sessionID), .integer(a.now), .text(SessionEndReason.reuse.rawValue)])
                try db.announce(.sessions(userID: session.userID))
                return (.reused(session), EndedSessionsLoader.entries(rows))
            }
        }
        remember(ended)
        return outcome
    }

    public func endSession(id: String, userID: Int64?, reason: SessionEndReason, now: Int64) async throws -> Session? {
        let rows = try await run { [sql] db in
            try db.writeTransaction {
                let rows = if let userID {
                    try db.query(sql.sessions.endOfUser, [.text(id), .integer(now), .text(reason.rawValue), .integer(userID)])
                } else {
                    try db.query(sql.sessions.end, [.text(id), .integer(now), .text(reason.rawValue)])
                }
                if let user = rows.first?.int("user_id") { try db.announce(.sessions(userID: user)) }
                return rows
            }
        }
        remember(EndedSessionsLoader.entries(rows))
        return rows.first.map(Self.session)
    }

    public func endSessions(userID: Int64, keeping: String?, reason: SessionEndReason, cutUnboundAt: Int64?, now: Int64) async throws -> Int {
        let ended = try await run { [sql] db in
            try db.writeTransaction {
                let rows = try db.query(sql.sessions.endAllOfUser, [.integer(userID), .integer(now), .text(reason.rawValue), .text(keeping ?? "")])
                if let cutUnboundAt {
                    try db.query(sql.sessions.cutUnbound, [.integer(userID), .integer(cutUnboundAt)])
                    try db.announce(.user(userID))
                } else if !rows.isEmpty {
                    try db.announce(.sessions(userID: userID))
                }
                return EndedSessionsLoader.entries(rows)
            }
        }
        remember(ended)
        if cutUnboundAt != nil { cache.userChanged(userID) }
        return ended.count
    }

    public func sessions(userID: Int64, now: Int64) async throws -> [Session] {
        try await run { [sql] db in
            try db.query(sql.sessions.list, [.integer(userID), .integer(now)]).map(Self.session)
        }
    }

    public func sessionByToken(hash: String, now: Int64, idleTimeout: Int64) async throws -> SessionLookup {
        try await run { [sql] db in
            guard let row = try db.query(sql.sessions.bySessionToken, [.text(hash)]).first else { return .unknown }
            var session = Self.session(row)
            if row.int("ended_at") != nil || row.int("after_cut") != 1 { return .revoked }
            if session.expiresAt <= now { return .expired }
            if now - session.lastUsedAt >= 60_000 {
                try db.query(sql.sessions.touchUsed, [.text(session.id), .integer(now), .integer(now + idleTimeout)])
                session.lastUsedAt = now
                session.idleExpiresAt = now + idleTimeout
            }
            return .active(session)
        }
    }

    public func session(id: String) async throws -> Session? {
        try await run { [sql] db in try db.query(sql.sessions.byID, [.text(id)]).first.map(Self.session) }
    }

    public func sessionEnded(_ id: String) async throws -> Bool {
        if endedSessions.contains(id) { return true }
        do {
            return try await run { [sql] db in
                try db.query(sql.sessions.endedAt, [.text(id)]).first?.int("ended_at") != nil
            }
        } catch let error as AuthError where error.kind == .unavailable {
            // While the database is away nobody can end a session through it: what we last
            // heard (every end announced until the outage) is still the truth, as for tokens.
            return false
        }
    }

    /// Memory holds every ended session whose tokens may still be presented, while the
    /// driver says it is true.
    public func rememberedSessionEnded(_ id: String) -> Bool? {
        driver.memoryIsTrue ? endedSessions.contains(id) : nil
    }
}
