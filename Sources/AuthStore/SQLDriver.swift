import AuthCore

/// A database under the store core: its connections, its dialect, how its errors read,
/// and how its cache is kept true. `SQLStore` is generic over it, so that each store is
/// compiled for its driver.
public protocol SQLDriver: Sendable {
    associatedtype Connection: SQLConnection
    associatedtype Dialect: SQLDialect

    /// A short name for `system.health` ("sqlite", "postgresql").
    var kind: String { get }
    /// The connection pool's name, for its threads and metrics.
    var poolName: String { get }
    var dialect: Dialect { get }
    /// How long a call may wait for its connection and its answer; nil: as long as it takes.
    var timeout: Duration? { get }

    /// Opens one connection, on the pool thread that will own it.
    func connect() throws -> Connection

    /// Whether what the cache remembers is true right now, so that a token check may be
    /// answered from memory alone.
    var memoryIsTrue: Bool { get }
    /// Called once, when the store is ready: the ended sessions are loaded, and a database
    /// with other writers starts applying the changes they announce to `cache` and to
    /// `sessions` here (reloading the ended sessions after any gap in hearing them).
    func keepTrue(_ cache: TokenStateCache, _ sessions: EndedSessionsLoader) throws

    /// The outage an error means; nil for any other error.
    static func outage(_ error: any Error) -> StorageOutage?
    /// For a unique violation, the field its index is on ("username" or "email"); nil for
    /// any other error.
    static func conflictField(_ error: any Error) -> String?
}

/// Why the storage could not answer, as a driver reads its errors.
public enum StorageOutage: Sendable {
    /// Another writer holds the lock: retry shortly.
    case busy
    /// The connection broke: it is closed, and made anew on its next use.
    case connectionLost
}
