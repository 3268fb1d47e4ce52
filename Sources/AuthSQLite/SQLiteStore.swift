import AuthCore
import AuthThreads
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The embedded default store: one SQLite file in WAL mode, used through a few
/// connections, each owned by one thread of a bounded pool. One daemon owns the file
/// (several daemons share PostgreSQL instead), so token states are cached in memory
/// and kept true by this process's own writes.
public final class SQLiteStore: UserStore {
    public let kind = "sqlite"
    /// The schema version this build migrates to.
    public static var schemaVersion: Int64 { SQLiteMigrations.latest }
    private let pool: WorkerPool<SQLiteConnection>
    private let cache = TokenStateCache()
    /// An exclusive flock(2) on the file for the store's life: a second daemon on the same
    /// file would not see this one's writes in its cache.
    private let ownership: Int32

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String, connections: Int = 4, queueLimit: Int = 1024) async throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let open: @Sendable () throws -> SQLiteConnection = {
            let db = try SQLiteConnection(path: path)
            try db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON")
            return db
        }
        // Migrate on one connection before any other opens: a fresh file is created
        // with the right mode and schema exactly once.
        let first = try open()
        ownership = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard ownership >= 0, flock(ownership, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "another authd is using it" : String(cString: strerror(errno))
            if ownership >= 0 { close(ownership) }
            throw AuthError(.internal, "cannot own the database \(path): \(reason)")
        }
        try SQLiteMigrations.run(on: first, now: Int64(Date().timeIntervalSince1970))
        chmod(path, 0o600)
        pool = WorkerPool(name: "sqlite", threads: connections, queueLimit: queueLimit, makeResource: open)
    }

    deinit { close(ownership) }

    func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        do {
            return try await pool.run { db in try body(db) }
        } catch is PoolOverloaded {
            throw AuthError.unavailable("Storage is overloaded; retry shortly")
        } catch let error as SQLiteError where error.isBusy {
            throw AuthError.unavailable("Storage is busy; retry shortly")
        }
    }

    private static let userColumns = "id, username, email, password_hash, created_at, tokens_valid_after"

    private static func storedUser(_ row: SQLiteRow) -> StoredUser {
        StoredUser(
            user: User(id: row.int("id") ?? 0, username: row.text("username") ?? "", email: row.text("email") ?? "",
                       createdAt: Date(timeIntervalSince1970: TimeInterval(row.int("created_at") ?? 0))),
            passwordHash: row.text("password_hash") ?? "",
            tokensValidAfter: row.int("tokens_valid_after") ?? 0)
    }

    /// Fails with a conflict when another user has the username or email (username first).
    private static func checkUnique(_ db: SQLiteConnection, username: String?, email: String?, except id: Int64) throws {
        if let username, !(try db.query("SELECT id FROM users WHERE username = ?1 COLLATE NOCASE AND id != ?2", [.text(username), .integer(id)])).isEmpty {
            throw AuthError.conflict("username")
        }
        if let email, !(try db.query("SELECT id FROM users WHERE email = ?1 COLLATE NOCASE AND id != ?2", [.text(email), .integer(id)])).isEmpty {
            throw AuthError.conflict("email")
        }
    }

    /// The unique indexes are the last word; their violation is a conflict, not an error.
    private static func mapUnique<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SQLiteError where error.isUniqueViolation {
            throw AuthError.conflict(error.message.contains("email") ? "email" : "username")
        }
    }

    public func create(_ new: NewUser) async throws -> User {
        let user = try await run { db in
            try Self.mapUnique {
                try db.writeTransaction {
                    try Self.checkUnique(db, username: new.username, email: new.email, except: 0)
                    let rows = try db.query(
                        "INSERT INTO users (username, email, password_hash, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING \(Self.userColumns)",
                        [.text(new.username), .text(new.email), .text(new.passwordHash), .integer(Int64(new.createdAt.timeIntervalSince1970))])
                    return Self.storedUser(rows[0]).user
                }
            }
        }
        // An id can come back after its user was deleted; forget what was known of it.
        cache.userChanged(user.id)
        return user
    }

    public func user(id: Int64) async throws -> StoredUser? {
        try await cache.user(id) {
            try await run { db in
                try db.query("SELECT \(Self.userColumns) FROM users WHERE id = ?1", [.integer(id)]).first.map(Self.storedUser)
            }
        }
    }

    public func user(username: String) async throws -> StoredUser? {
        try await run { db in
            try db.query("SELECT \(Self.userColumns) FROM users WHERE username = ?1 COLLATE NOCASE", [.text(username)]).first.map(Self.storedUser)
        }
    }

    public func user(email: String) async throws -> StoredUser? {
        try await run { db in
            try db.query("SELECT \(Self.userColumns) FROM users WHERE email = ?1 COLLATE NOCASE", [.text(email)]).first.map(Self.storedUser)
        }
    }

    public func list(afterID: Int64, limit: Int) async throws -> (users: [User], more: Bool) {
        try await run { db in
            let rows = try db.query(
                "SELECT \(Self.userColumns) FROM users WHERE id > ?1 ORDER BY id LIMIT ?2",
                [.integer(afterID), .integer(Int64(limit) + 1)])
            let users = rows.prefix(limit).map { Self.storedUser($0).user }
            return (Array(users), rows.count > limit)
        }
    }

    public func update(id: Int64, _ changes: UserChanges) async throws -> User? {
        let updated = try await run { db in
            try Self.mapUnique {
                try db.writeTransaction {
                    try Self.checkUnique(db, username: changes.username, email: changes.email, except: id)
                    let rows = try db.query(
                        """
                        UPDATE users SET username = COALESCE(?2, username), email = COALESCE(?3, email),
                            password_hash = COALESCE(?4, password_hash),
                            tokens_valid_after = COALESCE(?5, tokens_valid_after)
                        WHERE id = ?1 RETURNING \(Self.userColumns)
                        """,
                        [.integer(id), changes.username.map { .text($0) } ?? .null, changes.email.map { .text($0) } ?? .null,
                         changes.passwordHash.map { .text($0) } ?? .null, changes.tokensValidAfter.map { .integer($0) } ?? .null])
                    return rows.first.map { Self.storedUser($0).user }
                }
            }
        }
        cache.userChanged(id)
        return updated
    }

    public func replaceHash(id: Int64, old: String, new: String) async throws {
        try await run { db in
            try db.query("UPDATE users SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2", [.integer(id), .text(old), .text(new)])
        }
        cache.userChanged(id)
    }

    public func delete(id: Int64) async throws -> Bool {
        let deleted = try await run { db in
            !(try db.query("DELETE FROM users WHERE id = ?1 RETURNING id", [.integer(id)])).isEmpty
        }
        cache.userChanged(id)
        return deleted
    }

    public func revoke(jti: String, expiresAt: Int64) async throws {
        try await run { db in
            try db.query("INSERT OR IGNORE INTO revoked_tokens (jti, expires_at) VALUES (?1, ?2)", [.text(jti), .integer(expiresAt)])
        }
        cache.revoked(jti: jti)
    }

    /// From the cache when it knows; this process is the database's only writer, and
    /// every write above drops what it changed once it has committed.
    public func rememberedTokenState(jti: String, userID: Int64) -> (user: StoredUser?, revoked: Bool)? {
        cache.lookup(jti: jti, userID: userID)
    }

    public func tokenState(jti: String, userID: Int64) async throws -> (user: StoredUser?, revoked: Bool) {
        try await cache.tokenState(jti: jti, userID: userID) {
            try await run { db in
                guard let row = try db.query(
                    "SELECT \(Self.userColumns), EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = ?2) AS revoked FROM users WHERE id = ?1",
                    [.integer(userID), .text(jti)]).first
                else { return (nil, false) }
                return (Self.storedUser(row), row.int("revoked") == 1)
            }
        }
    }

    public func purgeRevocations(before: Int64) async throws {
        try await run { db in
            try db.query("DELETE FROM revoked_tokens WHERE expires_at < ?1", [.integer(before)])
            // Failure counts a day old are past any window; keep only live locks.
            try db.query("DELETE FROM login_failures WHERE window_start < ?1 - 86400 AND locked_until < ?1", [.integer(before)])
        }
    }

    public func ping() async throws {
        do {
            try await run { db in try db.query("SELECT 1") }
        } catch let error as AuthError {
            throw error
        } catch {
            throw AuthError.unavailable("Storage is unavailable")
        }
    }
}
