import AuthCore
import AuthThreads
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Users in PostgreSQL, through a bounded pool of libpq connections, each owned
/// by one thread. Several authd instances may share the database: uniqueness is
/// the database's, and changes are announced to the others with NOTIFY.
public final class PostgresStore: UserStore {
    public let kind = "postgresql"
    /// Where the pool's connections went (no password), for logs and STATUS=.
    public let endpoint: String
    private let pool: WorkerPool<PGConnection>
    private let cache = TokenStateCache()
    private let listener: ChangeListener
    private let timeout: Duration

    /// Connects once, migrates, and starts the pool and the change listener.
    /// Throws `PostgresUnavailable` when the server cannot be reached (worth
    /// retrying) and `PostgresRefused` when it refuses us (not worth it).
    public init(conninfo: String, connections: Int, queueLimit: Int = 1024, timeout: Duration = .seconds(5)) throws {
        // Defaults that a connection string may override: a bounded connect, and
        // keepalives so that a vanished server is noticed.
        let seconds = max(1, Int(timeout.components.seconds))
        let defaults = [("connect_timeout", String(seconds)), ("application_name", "authd"),
                        ("keepalives_idle", "10"), ("keepalives_interval", "2"), ("keepalives_count", "3"),
                        ("tcp_user_timeout", String(seconds * 1000))]
        let first: PGConnection
        do {
            first = try PGConnection(conninfo, defaults: defaults)
        } catch let error as PGError {
            throw PostgresStore.classify(error, conninfo)
        }
        _ = try PostgresMigrations.run(on: first)
        endpoint = first.endpoint
        self.timeout = timeout
        pool = WorkerPool(name: "pg", threads: connections, queueLimit: queueLimit) {
            try PGConnection(conninfo, defaults: defaults)
        }
        listener = ChangeListener(conninfo: conninfo, defaults: defaults, cache: cache)
        listener.start()
    }

    /// Runs the migrations and returns the schema version, for `authd migrate`.
    public static func migrate(conninfo: String) throws -> Int64 {
        let db: PGConnection
        do {
            db = try PGConnection(conninfo, defaults: [("connect_timeout", "10"), ("application_name", "authd-migrate")])
        } catch let error as PGError {
            throw classify(error, conninfo)
        }
        return try PostgresMigrations.run(on: db)
    }

    static func classify(_ error: PGError, _ conninfo: String) -> Error {
        let m = error.message
        let refused = ["authentication failed", "password", "does not exist", "pg_hba.conf", "permission denied", "invalid", "unsupported"]
            .contains { m.contains($0) }
        let place = PGConnection.describe(conninfo)
        return refused ? PostgresRefused(message: "PostgreSQL refused the connection to \(place): \(m)")
                       : PostgresUnavailable(message: "cannot reach PostgreSQL (\(place)): \(m)")
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (PGConnection) throws -> T) async throws -> T {
        do {
            return try await pool.run(timeout: timeout) { db in
                do {
                    return try body(db)
                } catch let error as PGError where error.connectionLost {
                    throw DiscardResource(error)
                }
            }
        } catch is PoolOverloaded {
            throw AuthError.unavailable("Storage is overloaded; retry shortly")
        } catch is PoolTimedOut {
            throw AuthError.unavailable("Storage did not answer in time; retry shortly")
        } catch let error as PGError where error.connectionLost {
            throw AuthError.unavailable("Storage is unavailable; retry shortly")
        }
    }

    private static let userColumns =
        "id, username, email, password_hash, floor(extract(epoch FROM created_at))::bigint AS created_at, tokens_valid_after"

    private static func storedUser(_ row: PGRow) -> StoredUser {
        StoredUser(
            user: User(id: row.int("id") ?? 0, username: row.text("username") ?? "", email: row.text("email") ?? "",
                       createdAt: Date(timeIntervalSince1970: TimeInterval(row.int("created_at") ?? 0))),
            passwordHash: row.text("password_hash") ?? "",
            tokensValidAfter: row.int("tokens_valid_after") ?? 0)
    }

    /// A unique violation is a conflict; which field is decided by asking, username first,
    /// since the index that fired first need not be the username's.
    private static func mapUnique<T>(_ db: PGConnection, username: String?, email: String?, except id: Int64,
                                     _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PGError where error.sqlState == "23505" {
            if let username, !(try db.query("SELECT 1 FROM users WHERE lower(username) = lower($1) AND id <> $2::bigint",
                                             [username, String(id)])).isEmpty {
                throw AuthError.conflict("username")
            }
            throw AuthError.conflict(error.constraint?.contains("email") == true || email != nil ? "email" : "username")
        }
    }

    private static func announce(_ db: PGConnection, _ payload: String) throws {
        try db.query("SELECT pg_notify($1, $2)", [ChangeListener.channel, payload])
    }

    public func create(_ new: NewUser) async throws -> User {
        let user = try await run { db in
            try Self.mapUnique(db, username: new.username, email: new.email, except: 0) {
                try db.transaction {
                    let rows = try db.query(
                        "INSERT INTO users (username, email, password_hash, created_at) VALUES ($1, $2, $3, to_timestamp($4::bigint)) RETURNING \(Self.userColumns)",
                        [new.username, new.email, new.passwordHash, String(Int64(new.createdAt.timeIntervalSince1970))])
                    let user = Self.storedUser(rows[0]).user
                    // Another instance may remember that this id had no user.
                    try Self.announce(db, "u:\(user.id)")
                    return user
                }
            }
        }
        cache.userChanged(user.id)
        return user
    }

    public func user(id: Int64) async throws -> StoredUser? {
        try await cache.user(id, useMemory: listener.isConnected) {
            try await run { db in
                try db.query("SELECT \(Self.userColumns) FROM users WHERE id = $1::bigint", [String(id)]).first.map(Self.storedUser)
            }
        }
    }

    public func user(username: String) async throws -> StoredUser? {
        try await run { db in
            try db.query("SELECT \(Self.userColumns) FROM users WHERE lower(username) = lower($1)", [username]).first.map(Self.storedUser)
        }
    }

    public func user(email: String) async throws -> StoredUser? {
        try await run { db in
            try db.query("SELECT \(Self.userColumns) FROM users WHERE lower(email) = lower($1)", [email]).first.map(Self.storedUser)
        }
    }

    public func list(afterID: Int64, limit: Int) async throws -> (users: [User], more: Bool) {
        try await run { db in
            let rows = try db.query("SELECT \(Self.userColumns) FROM users WHERE id > $1::bigint ORDER BY id LIMIT $2::bigint",
                                    [String(afterID), String(limit + 1)])
            return (rows.prefix(limit).map { Self.storedUser($0).user }, rows.count > limit)
        }
    }

    public func update(id: Int64, _ changes: UserChanges) async throws -> User? {
        let updated = try await run { db in
            try Self.mapUnique(db, username: changes.username, email: changes.email, except: id) {
                try db.transaction {
                    let rows = try db.query(
                        """
                        UPDATE users SET username = COALESCE($2, username), email = COALESCE($3, email),
                            password_hash = COALESCE($4, password_hash),
                            tokens_valid_after = COALESCE($5::bigint, tokens_valid_after)
                        WHERE id = $1::bigint RETURNING \(Self.userColumns)
                        """,
                        [String(id), changes.username, changes.email, changes.passwordHash, changes.tokensValidAfter.map { String($0) }])
                    if !rows.isEmpty { try Self.announce(db, "u:\(id)") }
                    return rows.first.map { Self.storedUser($0).user }
                }
            }
        }
        cache.userChanged(id)
        return updated
    }

    public func replaceHash(id: Int64, old: String, new: String) async throws {
        try await run { db in
            try db.transaction {
                try db.query("UPDATE users SET password_hash = $3 WHERE id = $1::bigint AND password_hash = $2", [String(id), old, new])
                try Self.announce(db, "u:\(id)")
            }
        }
        cache.userChanged(id)
    }

    public func delete(id: Int64) async throws -> Bool {
        let deleted = try await run { db in
            try db.transaction {
                let gone = !(try db.query("DELETE FROM users WHERE id = $1::bigint RETURNING id", [String(id)])).isEmpty
                if gone { try Self.announce(db, "u:\(id)") }
                return gone
            }
        }
        if deleted { cache.userChanged(id) }
        return deleted
    }

    public func revoke(jti: String, expiresAt: Int64) async throws {
        try await run { db in
            try db.transaction {
                try db.query("INSERT INTO revoked_tokens (jti, expires_at) VALUES ($1, $2::bigint) ON CONFLICT (jti) DO NOTHING",
                             [jti, String(expiresAt)])
                try Self.announce(db, "r:\(jti)")
            }
        }
        cache.revoked(jti: jti)
    }

    /// From the cache while the change listener is connected: every instance announces
    /// its changes, and the listener drops what they changed (a change made through
    /// another instance shows here once its notification arrives, normally within a
    /// millisecond). Without the listener, from the database, the cache kept only for outages.
    /// Memory is true only while the change listener is connected.
    public func rememberedTokenState(jti: String, userID: Int64) -> (user: StoredUser?, revoked: Bool)? {
        listener.isConnected ? cache.lookup(jti: jti, userID: userID) : nil
    }

    public func tokenState(jti: String, userID: Int64) async throws -> (user: StoredUser?, revoked: Bool) {
        do {
            return try await cache.tokenState(jti: jti, userID: userID, useMemory: listener.isConnected) {
                try await run { db in
                    let row = try db.query(
                        "SELECT \(Self.userColumns), EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = $2) AS revoked FROM users WHERE id = $1::bigint",
                        [String(userID), jti]).first
                    return (row.map(Self.storedUser), row?.text("revoked") == "t")
                }
            }
        } catch let error as AuthError where error.kind == .unavailable {
            // While the database is away nobody can change a token's state through it;
            // what we last read (and were told since) is still the truth.
            if let known = cache.lookup(jti: jti, userID: userID) { return known }
            throw error
        }
    }

    public func purgeRevocations(before: Int64) async throws {
        try await run { db in
            try db.query("DELETE FROM revoked_tokens WHERE expires_at < $1::bigint", [String(before)])
            // Failure counts a day old are past any window; keep only live locks.
            try db.query("DELETE FROM login_failures WHERE window_start < $1::bigint - 86400 AND locked_until < $1::bigint", [String(before)])
        }
    }

    public func ping() async throws {
        try await run { db in try db.query("SELECT 1") }
    }
}

/// PostgreSQL could not be reached; worth retrying.
public struct PostgresUnavailable: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// PostgreSQL refused us (authentication, a missing database); retrying will not help.
public struct PostgresRefused: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
