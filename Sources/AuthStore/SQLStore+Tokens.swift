import AuthCore
import CoreMetrics
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension SQLStore {
    public func revoke(jti: String, expiresAt: Int64) async throws {
        try await run { [sql] db in
            try db.write(announcing: { _ in .revoked(jti: jti) }) {
                try db.query(sql.revoke, [.text(jti), .integer(expiresAt)])
            }
        }
        cache.revoked(jti: jti)
    }

    /// From the cache while the driver says memory is true: always for a database this
    /// process writes alone (every write drops what it changed once it has committed);
    /// with other writers, while their announcements reach us (normally within a
    /// millisecond of their commit).
    public func rememberedTokenState(jti: String, userID: Int64) -> (user: StoredUser?, revoked: Bool)? {
        driver.memoryIsTrue ? cache.lookup(jti: jti, userID: userID) : nil
    }

    public func tokenState(jti: String, userID: Int64) async throws -> (user: StoredUser?, revoked: Bool) {
        do {
            return try await cache.tokenState(jti: jti, userID: userID, useMemory: driver.memoryIsTrue) {
                try await run { [sql, cache] db in
                    let row = try db.query(sql.tokenState, [.integer(userID), .text(jti)]).first
                    Self.loadRevocations(db, sql, into: cache)
                    return (row.map(Self.storedUser), row?.int("revoked") == 1)
                }
            }
        } catch let error as AuthError where error.kind == .unavailable {
            // While the database is away nobody can change a token's state through it;
            // what we last read (and were told since) is still the truth.
            if let known = cache.lookup(jti: jti, userID: userID) { return known }
            throw error
        }
    }

    /// Forgets revocations of expired tokens, failure counts past any window, and
    /// sessions (with their refresh tokens) that expired or ended and whose access tokens
    /// have all expired; memory loads the revocations left anew.
    @discardableResult
    public func purgeRevocations(before: Int64) async throws -> Int {
        let purged = try await run { [sql] db in
            try db.query(sql.purgeRevocations, [.integer(before)])
            try db.query(sql.purgeFailures, [.integer(before)])
            try db.query(sql.admin.purgeResets, [.integer(before)])
            try db.query(sql.mfa.purgeChallenges, [.integer(before)])
            try db.query(sql.mfa.purgePending, [.integer(before)])
            return try db.query(sql.sessions.purge, [.integer(before * 1000)])
        }
        endedSessions.purge(before: before * 1000)
        cache.revocationsPurged()
        return purged.count { $0.int("ended_at") == nil }
    }

    /// Reads every live revocation into memory when it does not hold them yet (at the first
    /// token check, after a purge, after a gap in PostgreSQL's announcements): from then on a
    /// token of a remembered user is answered without a read. A failed read leaves it for the next check.
    static func loadRevocations(_ db: Driver.Connection, _ sql: SQLStatements, into cache: TokenStateCache) {
        guard let epoch = cache.beginLoadingRevocations() else { return }
        let jtis = try? db.query(sql.liveRevocations, [.integer(Int64(Date().timeIntervalSince1970))]).compactMap { $0.text("jti") }
        cache.finishLoadingRevocations(jtis, epoch: epoch)
    }

    /// The memory's hits, misses (storage reads) and evictions, for system.metrics.
    static var cacheMetrics: TokenStateCache.Observer {
        let hits = Counter(label: "authd_token_cache_hits_total")
        let misses = Counter(label: "authd_token_cache_misses_total")
        let evictions = Counter(label: "authd_token_cache_evictions_total")
        return TokenStateCache.Observer(hit: { hits.increment() }, miss: { misses.increment() }, evicted: { evictions.increment() })
    }
}
