import AuthCore
import Foundation
import Synchronization
import Testing

/// The memory behind `auth.verify`: what it keeps, and that a read begun before a change
/// can never put its stale answer back.
@Suite struct TokenStateCacheTests {
    static func stored(_ id: Int64, hash: String = "h1") -> StoredUser {
        StoredUser(user: User(id: id, username: "user\(id)", email: "user\(id)@example.com", createdAt: Date(timeIntervalSince1970: 0)),
                   passwordHash: hash, tokensValidAfter: 0)
    }

    /// A cache whose revocation set is loaded (empty), as a store's is after its first check.
    static func loaded(limit: Int = TokenStateCache.defaultUsers, revoked: [String] = []) -> TokenStateCache {
        let cache = TokenStateCache(limit: limit)
        cache.finishLoadingRevocations(revoked, epoch: cache.beginLoadingRevocations()!)
        return cache
    }

    @Test func aRecordedStateIsRememberedOnceTheRevocationsAreLoaded() {
        let cache = TokenStateCache()
        cache.record(jti: "a", userID: 1, user: Self.stored(1), revoked: false, readAt: cache.generation)
        // The user is known, but not yet every revocation: the storage must be asked.
        #expect(cache.lookup(jti: "a", userID: 1) == nil)
        let epoch = try! #require(cache.beginLoadingRevocations())
        #expect(cache.beginLoadingRevocations() == nil, "one load at a time")
        cache.finishLoadingRevocations(["r"], epoch: epoch)
        #expect(cache.lookup(jti: "a", userID: 1)?.user == Self.stored(1))
        #expect(cache.lookup(jti: "a", userID: 1)?.revoked == false)
        // A token never seen, of a known user, is answered from memory too.
        #expect(cache.lookup(jti: "b", userID: 1)?.revoked == false)
        #expect(cache.lookup(jti: "r", userID: 1)?.revoked == true)
        // A user known not to exist is remembered as such.
        cache.record(userID: 2, user: nil, readAt: cache.generation)
        #expect(cache.user(2) == .some(nil))
        #expect(cache.user(3) == nil)
    }

    /// Another instance's change read again replaces the user in one step (no check in
    /// between finds them missing), unless something changed here while it was read.
    @Test func aReplacementTakesThePlaceOfTheUserOnlyWhenNothingChangedMeanwhile() {
        let cache = Self.loaded()
        cache.record(jti: "a", userID: 1, user: Self.stored(1), revoked: false, readAt: cache.generation)
        var changed = Self.stored(1)
        changed.groups = ["admins"]
        let generation = cache.generation
        cache.replace(userID: 1, user: changed, readAt: generation)
        #expect(cache.lookup(jti: "a", userID: 1)?.user?.groups == ["admins"])
        #expect(cache.generation != generation)
        let stale = cache.generation
        cache.revoked(jti: "z")
        cache.replace(userID: 1, user: Self.stored(1), readAt: stale)
        #expect(cache.user(1) == nil)
    }

    @Test func aReadBegunBeforeAChangeIsNotRemembered() {
        let cache = Self.loaded()
        let before = cache.generation
        cache.userChanged(1)
        cache.record(jti: "a", userID: 1, user: Self.stored(1), revoked: false, readAt: before)
        #expect(cache.lookup(jti: "a", userID: 1) == nil)
        cache.record(userID: 1, user: Self.stored(1), readAt: before)
        #expect(cache.user(1) == nil)
        // Each kind of change moves the generation on.
        for change in [{ cache.revoked(jti: "x") }, { cache.clear() }, { cache.userChanged(9) }] {
            let generation = cache.generation
            change()
            #expect(cache.generation != generation)
        }
    }

    @Test func aChangeWhileTheStorageIsReadLeavesTheReadUnremembered() async throws {
        let cache = Self.loaded()
        // The read returns the old hash, but the user changes while it runs.
        let read = try await cache.tokenState(jti: "a", userID: 1) {
            cache.userChanged(1)
            return (Self.stored(1, hash: "old"), false)
        }
        #expect(read.user?.passwordHash == "old")
        #expect(cache.lookup(jti: "a", userID: 1) == nil)
        let user = try await cache.user(1) {
            cache.userChanged(1)
            return Self.stored(1, hash: "old")
        }
        #expect(user?.passwordHash == "old")
        #expect(cache.user(1) == nil)
        // Undisturbed, the next read is remembered and answers the one after it.
        _ = try await cache.tokenState(jti: "a", userID: 1) { (Self.stored(1, hash: "new"), false) }
        let remembered = try await cache.tokenState(jti: "a", userID: 1) { Issue.record("read again"); return (nil, false) }
        #expect(remembered.user?.passwordHash == "new")
    }

    @Test func withoutMemoryEveryCallReadsTheStorage() async throws {
        let cache = TokenStateCache()
        cache.record(jti: "a", userID: 1, user: Self.stored(1, hash: "cached"), revoked: false, readAt: cache.generation)
        let state = try await cache.tokenState(jti: "a", userID: 1, useMemory: false) { (Self.stored(1, hash: "read"), true) }
        #expect(state.user?.passwordHash == "read")
        #expect(state.revoked)
        let user = try await cache.user(1, useMemory: false) { Self.stored(1, hash: "read2") }
        #expect(user?.passwordHash == "read2")
    }

    @Test func aRevocationIsKnownAtOnceAndAChangedUserIsForgotten() {
        let cache = Self.loaded()
        cache.record(jti: "a", userID: 1, user: Self.stored(1), revoked: false, readAt: cache.generation)
        cache.revoked(jti: "a")
        #expect(cache.lookup(jti: "a", userID: 1)?.revoked == true)
        cache.userChanged(1)
        #expect(cache.lookup(jti: "a", userID: 1) == nil)
        cache.record(jti: "a", userID: 1, user: Self.stored(1), revoked: true, readAt: cache.generation)
        cache.clear()
        #expect(cache.lookup(jti: "a", userID: 1) == nil)
    }

    @Test func theBoundHoldsWithFarMoreTokensThanItFitsAndTheLeastRecentlyUsedGoFirst() {
        let evictions = Counter()
        let cache = TokenStateCache(limit: 100, observer: .init(hit: {}, miss: {}, evicted: { evictions.add() }))
        cache.finishLoadingRevocations([], epoch: cache.beginLoadingRevocations()!)
        cache.record(jti: "keep", userID: 1, user: Self.stored(1), revoked: false, readAt: cache.generation)
        for id: Int64 in 2...10_000 {
            cache.record(jti: "t\(id)", userID: id, user: Self.stored(id), revoked: false, readAt: cache.generation)
            #expect(cache.counts.users <= 100)
            // User 1 is used all along: it stays.
            #expect(cache.lookup(jti: "keep", userID: 1) != nil)
        }
        #expect(cache.counts.users == 100)
        #expect(evictions.value == 10_000 - 100)
        // The 99 most recent stay; older ones went, one at a time, not all at once.
        #expect(cache.lookup(jti: "x", userID: 10_000) != nil)
        #expect(cache.lookup(jti: "x", userID: 9_902) != nil)
        #expect(cache.lookup(jti: "x", userID: 9_901) == nil)
        // Removing from the middle keeps the links whole.
        cache.userChanged(9_950)
        cache.userChanged(1)
        #expect(cache.counts.users == 98)
        for id: Int64 in 20_000..<20_010 { cache.record(userID: id, user: nil, readAt: cache.generation) }
        #expect(cache.counts.users == 100)
        #expect(cache.user(20_009) == .some(nil))
        cache.usersImported()
        #expect(cache.user(20_009) == nil)
        #expect(cache.counts.users == 90)
    }

    @Test func aGapInTheAnnouncementsEmptiesTheRevocationsAndALoadBegunBeforeItIsNotTaken() {
        let cache = Self.loaded(revoked: ["old"])
        cache.record(jti: "a", userID: 1, user: Self.stored(1), revoked: false, readAt: cache.generation)
        let epoch = cache.beginLoadingRevocations()
        #expect(epoch == nil, "already loaded")
        cache.clear()
        let stale = try! #require(cache.beginLoadingRevocations())
        cache.clear()
        cache.finishLoadingRevocations([], epoch: stale)
        #expect(!cache.revocationsKnown)
        // A revocation announced while a load runs is kept by it.
        let fresh = try! #require(cache.beginLoadingRevocations())
        cache.revoked(jti: "during")
        cache.finishLoadingRevocations(["before"], epoch: fresh)
        cache.record(jti: "x", userID: 1, user: Self.stored(1), revoked: false, readAt: cache.generation)
        #expect(cache.lookup(jti: "during", userID: 1)?.revoked == true)
        #expect(cache.lookup(jti: "before", userID: 1)?.revoked == true)
        #expect(cache.lookup(jti: "old", userID: 1)?.revoked == false, "forgotten with the gap, and not in the storage any more")
        // A purge loads the set anew.
        cache.revocationsPurged()
        #expect(cache.lookup(jti: "x", userID: 1) == nil)
    }
}

/// A count shared with the observer's closures.
private final class Counter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
