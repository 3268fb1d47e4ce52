import Synchronization

/// A sign-in (contract §7): what a login opened, kept until it is ended or expires.
/// Times are milliseconds since the epoch.
public struct Session: Sendable, Equatable {
    public var id: String
    public var userID: Int64
    public var createdAt: Int64
    public var lastUsedAt: Int64
    /// When it ends unless used again.
    public var idleExpiresAt: Int64
    /// When it ends however it is used.
    public var lifetimeEndsAt: Int64
    public var client: String?
    public var label: String?
    /// RFC 8176 methods, e.g. ["pwd"].
    public var amr: [String]

    public init(id: String, userID: Int64, createdAt: Int64, lastUsedAt: Int64, idleExpiresAt: Int64, lifetimeEndsAt: Int64,
                client: String?, label: String?, amr: [String]) {
        self.id = id
        self.userID = userID
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.idleExpiresAt = idleExpiresAt
        self.lifetimeEndsAt = lifetimeEndsAt
        self.client = client
        self.label = label
        self.amr = amr
    }

    /// The earlier of the idle and the absolute expiry (the contract's `expires_at`).
    public var expiresAt: Int64 { min(idleExpiresAt, lifetimeEndsAt) }
}

/// What `auth.verify` shows of a token's session (contract §8).
public struct SessionSummary: Sendable, Equatable {
    public var id: String
    public var amr: [String]
    /// The contract's `expires_at` (ms): the earlier of the idle and the absolute expiry.
    public var expiresAt: Int64

    public init(id: String, amr: [String], expiresAt: Int64) {
        self.id = id
        self.amr = amr
        self.expiresAt = expiresAt
    }

    /// From an access token's own claims, as the session stood when it was issued (a
    /// later refresh moves the expiry later, and issues tokens that say so); nil for a
    /// token without a session or without those claims.
    public init?(_ claims: AccessClaims) {
        guard let sid = claims.sid, let amr = claims.amr, let expiresAt = claims.sessionExpiresAt else { return nil }
        self.init(id: sid, amr: amr, expiresAt: expiresAt)
    }
}

/// Why a session ended, as metrics and the audit log name it.
public enum SessionEndReason: String, Sendable, CaseIterable {
    case logout, expired, reuse, cap, password, admin, disabled
    /// TOTP was confirmed: the user's other sessions end (contract §9).
    case mfa
}

/// A session a login opens, with its first refresh token (and session token), as hashes.
public struct NewSession: Sendable {
    public var session: Session
    public var refreshHash: String
    public var sessionTokenHash: String?
    /// The latest `exp` (ms) of the access tokens issued so far.
    public var accessUntil: Int64
    /// The user's cap: opening past it ends the least recently used sessions.
    public var maxSessions: Int

    public init(session: Session, refreshHash: String, sessionTokenHash: String?, accessUntil: Int64, maxSessions: Int) {
        self.session = session
        self.refreshHash = refreshHash
        self.sessionTokenHash = sessionTokenHash
        self.accessUntil = accessUntil
        self.maxSessions = maxSessions
    }
}

/// One presentation of a refresh token, for the store to settle atomically.
public struct RefreshAttempt: Sendable {
    /// SHA-256 of the token presented, and of the token that replaces it.
    public var presentedHash: String
    public var successorHash: String
    /// The client it came from (a retry must come from the one that rotated).
    public var client: String
    public var label: String?
    public var now: Int64
    public var idleTimeout: Int64
    public var reuseInterval: Int64
    /// The `exp` (ms) of the access token a rotation at `now` issues.
    public var accessUntil: Int64

    public init(presentedHash: String, successorHash: String, client: String, label: String?, now: Int64, idleTimeout: Int64,
                reuseInterval: Int64, accessUntil: Int64) {
        self.presentedHash = presentedHash
        self.successorHash = successorHash
        self.client = client
        self.label = label
        self.now = now
        self.idleTimeout = idleTimeout
        self.reuseInterval = reuseInterval
        self.accessUntil = accessUntil
    }
}

/// What the store made of a refresh token.
public enum RefreshOutcome: Sendable, Equatable {
    /// The token was current: it is retired and its successor is current (`at`: the rotation).
    case rotated(Session, at: Int64)
    /// A retry of the rotation at `at` (the last retired token, within the interval, same client).
    case retried(Session, at: Int64)
    /// A retired token presented otherwise: the session has just been ended.
    case reused(Session)
    case expired
    case revoked
    case unknown
}

/// The ids of ended sessions whose access tokens may still be presented, each with the
/// time (ms) after which none of them is valid anyway. The verify path reads it without
/// going to the storage: the store loads it at start and keeps it true with its own
/// writes and, on PostgreSQL, what other instances announce.
public final class EndedSessions: Sendable {
    private let ended = Mutex<[String: Int64]>([:])

    public init() {}

    public func contains(_ id: String) -> Bool { ended.withLock { $0[id] != nil } }

    public func add(_ id: String, until: Int64) {
        ended.withLock { $0[id] = max(until, $0[id] ?? until) }
    }

    public func add(_ entries: [(id: String, until: Int64)]) {
        ended.withLock { set in for e in entries { set[e.id] = max(e.until, set[e.id] ?? e.until) } }
    }

    /// Forgets sessions whose tokens have all expired by `now` (ms).
    public func purge(before now: Int64) {
        ended.withLock { set in set = set.filter { $0.value >= now } }
    }

    public var count: Int { ended.withLock { $0.count } }
}

/// What a session token led to.
public enum SessionLookup: Sendable, Equatable {
    case active(Session)
    case expired
    case revoked
    case unknown
}

/// What happened to sessions, for metrics.
public enum SessionActivity: Sendable {
    case opened
    case ended(SessionEndReason, count: Int)
    case refreshed(RefreshResult)

    /// How a refresh went, as metrics name it.
    public enum RefreshResult: String, Sendable, CaseIterable {
        case rotated, retried, reused, expired, revoked, unknown
    }
}
