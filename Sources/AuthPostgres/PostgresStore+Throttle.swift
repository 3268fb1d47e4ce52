import AuthCore

extension PostgresStore {
    public func lockedUntil(_ keys: [ThrottleKey]) async throws -> Int64 {
        guard !keys.isEmpty else { return 0 }
        return try await run { db in
            var latest: Int64 = 0
            for key in keys {
                let row = try db.query("SELECT locked_until FROM login_failures WHERE scope = $1 AND key = $2",
                                       [key.scope.rawValue, key.key]).first
                latest = max(latest, row?.int("locked_until") ?? 0)
            }
            return latest
        }
    }

    public func recordFailure(_ key: ThrottleKey, now: Int64, window: Int64) async throws -> Int {
        try await run { db in
            let row = try db.query(
                """
                INSERT INTO login_failures AS f (scope, key, failures, window_start) VALUES ($1, $2, 1, $3::bigint)
                ON CONFLICT (scope, key) DO UPDATE SET
                    failures = CASE WHEN f.window_start <= $3::bigint - $4::bigint THEN 1 ELSE f.failures + 1 END,
                    window_start = CASE WHEN f.window_start <= $3::bigint - $4::bigint THEN $3::bigint ELSE f.window_start END
                RETURNING failures
                """,
                [key.scope.rawValue, key.key, String(now), String(window)]).first
            return Int(row?.int("failures") ?? 1)
        }
    }

    public func lock(_ key: ThrottleKey, until: Int64) async throws {
        try await run { db in
            try db.query("UPDATE login_failures SET locked_until = GREATEST(locked_until, $3::bigint) WHERE scope = $1 AND key = $2",
                         [key.scope.rawValue, key.key, String(until)])
        }
    }

    public func clearFailures(_ key: ThrottleKey) async throws {
        try await run { db in
            try db.query("DELETE FROM login_failures WHERE scope = $1 AND key = $2", [key.scope.rawValue, key.key])
        }
    }

    public func throttleState(_ key: ThrottleKey) async throws -> ThrottleState? {
        try await run { db in
            try db.query("SELECT failures, locked_until FROM login_failures WHERE scope = $1 AND key = $2",
                         [key.scope.rawValue, key.key]).first.map {
                ThrottleState(failures: Int($0.int("failures") ?? 0), lockedUntil: $0.int("locked_until") ?? 0)
            }
        }
    }
}
