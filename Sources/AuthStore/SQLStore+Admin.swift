import AuthCore

extension SQLStore {
    public func disable(id: Int64, reason: String?, now: Int64, nowMilliseconds: Int64) async throws -> Int? {
        let ended = try await run { [sql] db in
            try db.writeTransaction { () -> [(id: String, until: Int64)]? in
                guard try !db.query(sql.admin.disable, [.integer(id), .integer(now), SQLValue(reason)]).isEmpty else { return nil }
                let rows = try db.query(sql.sessions.endAllOfUser, [.integer(id), .integer(nowMilliseconds),
                                                                    .text(SessionEndReason.disabled.rawValue), .text("")])
                try db.query(sql.admin.voidReset, [.integer(id)])
                // Other instances drop the user and reload their ended sessions.
                try db.announce(.user(id))
                return EndedSessionsLoader.entries(rows)
            }
        }
        cache.userChanged(id)
        guard let ended else { return nil }
        remember(ended)
        return ended.count
    }

    public func enable(id: Int64) async throws -> Bool {
        try await changeUser(id, sql.admin.enable, [.integer(id)])
    }

    public func setGroups(id: Int64, _ groups: [String]) async throws -> Bool {
        try await changeUser(id, sql.admin.setGroups, [.integer(id), .text(groups.joined(separator: ","))])
    }

    /// One statement that changes the user's row and returns its id, announced.
    private func changeUser(_ id: Int64, _ statement: String, _ values: [SQLValue]) async throws -> Bool {
        let changed = try await run { db in
            try db.write(announcing: { $0 ? .user(id) : nil }) { !(try db.query(statement, values)).isEmpty }
        }
        cache.userChanged(id)
        return changed
    }

    public func lastLoginAt(id: Int64) async throws -> Int64? {
        try await run { [sql] db in try db.query(sql.admin.lastLogin, [.integer(id)]).first?.int("last_login_at") }
    }

    public func storeResetToken(userID: Int64, hash: String, expiresAt: Int64) async throws {
        try await run { [sql] db in
            try db.writeTransaction { try db.query(sql.admin.storeReset, [.integer(userID), .text(hash), .integer(expiresAt)]) }
        }
    }

    public func resetPassword(tokenHash: String, newPasswordHash: String, now: Int64, nowMilliseconds: Int64) async throws
        -> (user: StoredUser, sessionsEnded: Int)? {
        let done = try await run { [sql] db in
            // The DELETE decides a race: of two uses at once, only one finds the row.
            try db.writeTransaction { () -> (StoredUser, [(id: String, until: Int64)])? in
                guard let userID = try db.query(sql.admin.spendReset, [.text(tokenHash), .integer(now)]).first?.int("user_id"),
                      let row = try db.query(sql.admin.resetPassword, [.integer(userID), .text(newPasswordHash), .integer(now)]).first
                else { return nil }
                let rows = try db.query(sql.sessions.endAllOfUser, [.integer(userID), .integer(nowMilliseconds),
                                                                    .text(SessionEndReason.password.rawValue), .text("")])
                try db.announce(.user(userID))
                return (Self.storedUser(row), EndedSessionsLoader.entries(rows))
            }
        }
        guard let (user, ended) = done else { return nil }
        cache.userChanged(user.user.id)
        remember(ended)
        return (user, ended.count)
    }
}
