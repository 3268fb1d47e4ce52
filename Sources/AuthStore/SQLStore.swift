import AuthCore
import AuthThreads
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one store: users, revoked tokens, failed logins and the token-state cache, written
/// once over a database's driver. Blocking calls run on a bounded pool of connections,
/// each owned by one thread. After each write commits, what it changed is dropped from the
/// cache; other instances on the same database learn of it through the driver.
public final class SQLStore<Driver: SQLDriver>: UserStore {
    let cache: TokenStateCache
    /// Ended sessions whose access tokens may still be presented (verify reads it alone).
    let endedSessions = EndedSessions()
    /// Imports write a thousand rows a transaction: they wait their turn here, not in the database's lock.
    let importGate = AsyncGate()
    private let outageLog = OutageLog()
    public let driver: Driver
    public let kind: String
    let sql: SQLStatements
    private let pool: WorkerPool<Driver.Connection>

    /// Starts the pool over a driver whose database is open and migrated, and loads the
    /// ended sessions; `cacheUsers` bounds the users the token-state memory keeps.
    public init(driver: Driver, connections: Int, queueLimit: Int = 1024, cacheUsers: Int = TokenStateCache.defaultUsers) throws {
        cache = TokenStateCache(limit: cacheUsers, observer: Self.cacheMetrics)
        self.driver = driver
        kind = driver.kind
        sql = SQLStatements(driver.dialect)
        pool = WorkerPool(name: driver.poolName, threads: connections, queueLimit: queueLimit) {
            try driver.connect()
        }
        try driver.keepTrue(cache, EndedSessionsLoader(ended: endedSessions, sql.sessions, userByID: sql.userByID,
                                                       decodeUser: Self.storedUser))
    }

    /// Runs `body` on a pool thread with its connection; overload, timeouts and outages
    /// become `AuthError.unavailable`, and a broken connection is made anew.
    @discardableResult
    func run<T: Sendable>(_ body: @escaping @Sendable (Driver.Connection) throws -> T) async throws -> T {
        do {
            let result = try await pool.run(timeout: driver.timeout) { db in
                do {
                    return try body(db)
                } catch where Driver.outage(error) == .connectionLost {
                    throw DiscardResource(StaleConnection())
                }
            }
            outageLog.answered()
            return result
        } catch is StaleConnection {
            // A connection made before the database went away (or came back) broke at its
            // use; the next request makes a new one. Only failing to make one is an outage,
            // so that the connections finding out one by one make no more log lines.
            throw AuthError.unavailable("Storage is unavailable; retry shortly")
        } catch is PoolOverloaded {
            throw AuthError.unavailable("Storage is overloaded; retry shortly")
        } catch is PoolTimedOut {
            throw AuthError.unavailable("Storage did not answer in time; retry shortly")
        } catch {
            switch Driver.outage(error) {
            case .busy: throw AuthError.unavailable("Storage is busy; retry shortly")
            case .connectionLost:
                outageLog.lost(error)
                throw AuthError.unavailable("Storage is unavailable; retry shortly")
            case nil: throw error
            }
        }
    }

    /// Tells `report` when the database is lost and when it is back, once per outage.
    public func reportOutages(to report: @escaping @Sendable (_ lost: String?) -> Void) {
        outageLog.report { change in
            switch change {
            case .lost(let error): report(error)
            case .back: report(nil)
            }
        }
    }

    static func storedUser(_ row: SQLRow) -> StoredUser {
        StoredUser(
            user: User(id: row.int("id") ?? 0, username: row.text("username") ?? "", email: row.text("email") ?? "",
                       createdAt: Date(timeIntervalSince1970: TimeInterval(row.int("created_at") ?? 0))),
            passwordHash: row.text("password_hash") ?? "",
            tokensValidAfter: row.int("tokens_valid_after") ?? 0,
            unboundTokensValidAfter: row.int("unbound_tokens_valid_after") ?? 0,
            groups: (row.text("user_groups") ?? "").split(separator: ",").map(String.init),
            disabledAt: row.int("disabled_at"), disabledReason: row.text("disabled_reason"))
    }

    /// The unique indexes are the last word: their violation is a conflict. Which field is
    /// decided by asking, username first, since the index that fired first need not be
    /// the username's.
    private func namingConflicts<T>(_ db: Driver.Connection, username: String?, email: String?, except id: Int64,
                                    _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            guard let field = Driver.conflictField(error) else { throw error }
            if let username, !(try db.query(sql.usernameTakenByAnother, [.text(username), .integer(id)])).isEmpty {
                throw AuthError.conflict("username")
            }
            throw AuthError.conflict(field == "email" || email != nil ? "email" : "username")
        }
    }

    public func create(_ new: NewUser) async throws -> User {
        let user = try await run { [self] db in
            try namingConflicts(db, username: new.username, email: new.email, except: 0) {
                // Another instance may remember that this id had no user.
                try db.write(announcing: { .user($0.id) }) {
                    let rows = try db.query(sql.insertUser, [.text(new.username), .text(new.email), .text(new.passwordHash),
                                                             .integer(Int64(new.createdAt.timeIntervalSince1970))])
                    return Self.storedUser(rows[0]).user
                }
            }
        }
        // An id can come back after its user was deleted; forget what was known of it.
        cache.userChanged(user.id)
        return user
    }

    public func user(id: Int64) async throws -> StoredUser? {
        try await cache.user(id, useMemory: driver.memoryIsTrue) {
            try await run { [sql] db in try db.query(sql.userByID, [.integer(id)]).first.map(Self.storedUser) }
        }
    }

    public func user(username: String) async throws -> StoredUser? {
        try await run { [sql] db in try db.query(sql.userByUsername, [.text(username)]).first.map(Self.storedUser) }
    }

    public func user(email: String) async throws -> StoredUser? {
        try await run { [sql] db in try db.query(sql.userByEmail, [.text(email)]).first.map(Self.storedUser) }
    }

    public func list(afterID: Int64, limit: Int) async throws -> (users: [User], more: Bool) {
        try await run { [sql] db in
            let rows = try db.query(sql.listUsers, [.integer(afterID), .integer(Int64(limit) + 1)])
            return (rows.prefix(limit).map { Self.storedUser($0).user }, rows.count > limit)
        }
    }

    public func storedUsers(afterID: Int64, limit: Int) async throws -> (users: [StoredUser], more: Bool) {
        try await run { [sql] db in
            let rows = try db.query(sql.listUsers, [.integer(afterID), .integer(Int64(limit) + 1)])
            return (rows.prefix(limit).map(Self.storedUser), rows.count > limit)
        }
    }

    public func update(id: Int64, _ changes: UserChanges) async throws -> User? {
        let updated = try await run { [self] db in
            try namingConflicts(db, username: changes.username, email: changes.email, except: id) {
                try db.writeTransaction {
                    let user = try db.query(sql.updateUser, [.integer(id), SQLValue(changes.username), SQLValue(changes.email),
                                                             SQLValue(changes.passwordHash), SQLValue(changes.tokensValidAfter)])
                        .first.map { Self.storedUser($0).user }
                    guard let user else { return nil as User? }
                    // A new password voids the reset token (contract §8).
                    if changes.passwordHash != nil { try db.query(sql.admin.voidReset, [.integer(id)]) }
                    try db.announce(.user(id))
                    return user
                }
            }
        }
        cache.userChanged(id)
        return updated
    }

    public func replaceHash(id: Int64, old: String, new: String) async throws {
        try await run { [sql] db in
            try db.write(announcing: { _ in .user(id) }) {
                try db.query(sql.replaceHash, [.integer(id), .text(old), .text(new)])
            }
        }
        cache.userChanged(id)
    }

    public func delete(id: Int64) async throws -> Bool {
        let deleted = try await run { [sql] db in
            try db.write(announcing: { $0 ? .user(id) : nil }) {
                !(try db.query(sql.deleteUser, [.integer(id)])).isEmpty
            }
        }
        cache.userChanged(id)
        return deleted
    }

    public func ping() async throws {
        do {
            try await run { [sql] db in try db.query(sql.ping, []) }
        } catch let error as AuthError {
            throw error
        } catch {
            throw AuthError.unavailable("Storage is unavailable")
        }
    }
}

/// A pooled connection that broke while in use.
private struct StaleConnection: Error {}
