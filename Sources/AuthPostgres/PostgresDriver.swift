import AuthCore
import AuthStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// PostgreSQL through libpq. Several authd instances may share the database:
/// uniqueness is the database's, each write is announced to the others with NOTIFY,
/// and memory is true only while the change listener hears those announcements.
public final class PostgresDriver: SQLDriver {
    public let kind = "postgresql"
    public let poolName = "pg"
    public let dialect = PostgresDialect()
    public let timeout: Duration?
    /// Where the first connection went (no password), for logs and STATUS=.
    public let endpoint: String
    private let conninfo: String
    private let defaults: [(String, String)]
    private let listener: ChangeListener

    /// Connects once and migrates. Throws `PostgresUnavailable` when the server cannot be
    /// reached (worth retrying) and `PostgresRefused` when it refuses us (not worth it).
    public init(conninfo: String, timeout: Duration) throws {
        // Defaults that a connection string may override: a bounded connect, and
        // keepalives so that a vanished server is noticed.
        let seconds = max(1, Int(timeout.components.seconds))
        defaults = [("connect_timeout", String(seconds)), ("application_name", "authd"),
                    ("keepalives_idle", "10"), ("keepalives_interval", "2"), ("keepalives_count", "3"),
                    ("tcp_user_timeout", String(seconds * 1000))]
        let first = try Self.open(conninfo, defaults: defaults)
        _ = try Self.migrate(first)
        endpoint = first.endpoint
        self.conninfo = conninfo
        self.timeout = timeout
        listener = ChangeListener(conninfo: conninfo, defaults: defaults)
    }

    /// Runs the migrations and returns the schema version, for `authd migrate`.
    public static func migrate(conninfo: String) throws -> Int64 {
        try migrate(open(conninfo, defaults: [("connect_timeout", "10"), ("application_name", "authd-migrate")]))
    }

    private static func migrate(_ db: PGConnection) throws -> Int64 {
        try schema.migrate(db, dialect: PostgresDialect(), now: Int64(Date().timeIntervalSince1970))
    }

    private static func open(_ conninfo: String, defaults: [(String, String)]) throws -> PGConnection {
        do {
            return try PGConnection(conninfo, defaults: defaults)
        } catch let error as PGError {
            throw classify(error, conninfo)
        }
    }

    private static func classify(_ error: PGError, _ conninfo: String) -> Error {
        let m = error.message
        let refused = ["authentication failed", "password", "does not exist", "pg_hba.conf", "permission denied", "invalid", "unsupported"]
            .contains { m.contains($0) }
        let place = PGConnection.describe(conninfo)
        return refused ? PostgresRefused(message: "PostgreSQL refused the connection to \(place): \(m)")
                       : PostgresUnavailable(message: "cannot reach PostgreSQL (\(place)): \(m)")
    }

    public func connect() throws -> PGConnection { try PGConnection(conninfo, defaults: defaults) }

    public var memoryIsTrue: Bool { listener.isConnected }

    public func keepTrue(_ cache: TokenStateCache, _ sessions: EndedSessionsLoader) throws {
        listener.start(keeping: cache, sessions)
    }

    public static func outage(_ error: any Error) -> StorageOutage? {
        (error as? PGError)?.connectionLost == true ? .connectionLost : nil
    }

    public static func conflictField(_ error: any Error) -> String? {
        guard let error = error as? PGError, error.sqlState == "23505" else { return nil }
        return error.constraint?.contains("email") == true ? "email" : "username"
    }
}

/// PostgreSQL's words: `$N`, `lower()` on both sides (as its unique indexes are),
/// `GREATEST`, and `TIMESTAMPTZ` columns.
public struct PostgresDialect: SQLDialect {
    public func placeholder(_ position: Int) -> String { "$\(position)" }
    public func equalsIgnoringCase(_ column: String, _ value: String) -> String { "lower(\(column)) = lower(\(value))" }
    public func greatest(_ a: String, _ b: String) -> String { "GREATEST(\(a), \(b))" }
    public func epochSeconds(_ column: String) -> String { "floor(extract(epoch FROM \(column)))::bigint" }
    public func timestamp(epochSeconds value: String) -> String { "to_timestamp(\(value))" }
    public func forUpdate(of table: String) -> String { " FOR UPDATE OF \(table)" }
    public let writesInWith = true
    public let keepingID = "OVERRIDING SYSTEM VALUE"
    public func idOrNext(_ value: String) -> String { "COALESCE(\(value), nextval(pg_get_serial_sequence('users', 'id')))" }
    /// A function of the schema (step 5): it moves the sequence up only, under a lock
    /// that keeps registrations from drawing ids meanwhile.
    public func moveIDSequence(past value: String) -> String? { "SELECT authd_move_id_sequence(\(value))" }
}
