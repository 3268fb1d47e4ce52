import AuthCore

extension SQLiteStore {
    public func lockedUntil(_ keys: [ThrottleKey]) async throws -> Int64 {
        guard !keys.isEmpty else { return 0 }
        return try await run { db in
            var latest: Int64 = 0
            for key in keys {
                let row = try db.query("SELECT locked_until FROM login_failures WHERE scope = ?1 AND key = ?2",
                                       [.text(key.scope.rawValue), .text(key.key)]).first
                latest = max(latest, row?.int("locked_until") ?? 0)
            }
            return latest
        }
    }

    public func recordFailure(_ key: ThrottleKey, now: Int64, window: Int64) async throws -> Int {
        try await run { db in
            let row = try db.query(
                """
                INSERT INTO login_failures (scope, key, failures, window_start) VALUES (?1, ?2, 1, ?3)
                ON CONFLICT (scope, key) DO UPDATE SET
                    failures = CASE WHEN window_start <= ?3 - ?4 THEN 1 ELSE failures + 1 END,
                    window_start = CASE WHEN window_start <= ?3 - ?4 THEN ?3 ELSE window_start END
                RETURNING failures
                """,
                [.text(key.scope.rawValue), .text(key.key), .integer(now), .integer(window)]).first
            return Int(row?.int("failures") ?? 1)
        }
    }

    public func lock(_ key: ThrottleKey, until: Int64) async throws {
        try await run { db in
            try db.query("UPDATE login_failures SET locked_until = MAX(locked_until, ?3) WHERE scope = ?1 AND key = ?2",
                         [.text(key.scope.rawValue), .text(key.key), .integer(until)])
        }
    }

    public func clearFailures(_ key: ThrottleKey) async throws {
        try await run { db in
            try db.query("DELETE FROM login_failures WHERE scope = ?1 AND key = ?2", [.text(key.scope.rawValue), .text(key.key)])
        }
    }

    public func throttleState(_ key: ThrottleKey) async throws -> ThrottleState? {
        try await run { db in
            try db.query("SELECT failures, locked_until FROM login_failures WHERE scope = ?1 AND key = ?2",
                         [.text(key.scope.rawValue), .text(key.key)]).first.map {
                ThrottleState(failures: Int($0.int("failures") ?? 0), lockedUntil: $0.int("locked_until") ?? 0)
            }
        }
    }
}
