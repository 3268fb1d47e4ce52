import AuthCore
import AuthStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The embedded default: one SQLite file in WAL mode. One daemon owns the file (several
/// daemons share PostgreSQL instead), so its memory is always true: every change to the
/// file is this process's own.
public final class SQLiteDriver: SQLDriver {
    public let kind = "sqlite"
    public let poolName = "sqlite"
    public let dialect = SQLiteDialect()
    public let timeout: Duration? = nil
    /// The schema version this build migrates to.
    public static var schemaVersion: Int64 { schema.latest }
    private let path: String
    /// An exclusive flock(2) on the file for the driver's life: a second daemon on the same
    /// file would not see this one's writes in its cache.
    private let ownership: Int32

    /// Opens (creating if needed) the database at `path`, owns it and migrates it.
    public init(path: String) throws {
        self.path = path
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // Migrate on one connection before any other opens: a fresh file is created
        // with the right mode and schema exactly once.
        let first: SQLiteConnection
        do {
            first = try Self.open(path)
        } catch let error as SQLiteError {
            throw SQLiteOpenError.cannotOpen(path, error)
        }
        ownership = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard ownership >= 0, flock(ownership, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "another authd is using it" : String(cString: strerror(errno))
            if ownership >= 0 { close(ownership) }
            throw SQLiteOpenError(description: "cannot own the database \(path): \(reason)")
        }
        _ = try Self.schema.migrate(first, dialect: dialect, now: Int64(Date().timeIntervalSince1970))
        fchmod(ownership, 0o600)
    }

    deinit { close(ownership) }

    /// Copies the database at `path` to `destination` through SQLite's backup API, in one
    /// step: one read transaction, so the copy is the database as of one moment, while the
    /// daemon that owns it goes on writing (WAL readers block no writer). The copy is made
    /// beside `destination` with mode 0600 and renamed over it when complete; returns the pages copied.
    public static func backup(_ path: String, to destination: String) throws -> Int {
        let partial = destination + ".partial"
        unlink(partial)
        let fd = Glibc.open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw SQLiteOpenError(description: "cannot create \(partial): \(String(cString: strerror(errno)))") }
        close(fd)
        do {
            let pages = try SQLiteConnection.backup(from: path, to: partial)
            guard rename(partial, destination) == 0 else {
                throw SQLiteOpenError(description: "cannot rename \(partial) to \(destination): \(String(cString: strerror(errno)))")
            }
            return pages
        } catch {
            unlink(partial)
            throw error
        }
    }

    private static func open(_ path: String) throws -> SQLiteConnection {
        let db = try SQLiteConnection(path: path)
        try db.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON")
        return db
    }

    public func connect() throws -> SQLiteConnection { try Self.open(path) }

    public var memoryIsTrue: Bool { true }

    /// Loads the ended sessions once: no other writer announces anything.
    public func keepTrue(_ cache: TokenStateCache, _ sessions: EndedSessionsLoader) throws {
        try sessions.loadAll(connect())
    }

    public static func outage(_ error: any Error) -> StorageOutage? {
        (error as? SQLiteError)?.isBusy == true ? .busy : nil
    }

    public static func conflictField(_ error: any Error) -> String? {
        guard let error = error as? SQLiteError, error.isUniqueViolation else { return nil }
        return error.message.contains("email") ? "email" : "username"
    }
}

/// SQLite's words: `?N`, `COLLATE NOCASE` (as its unique indexes are), scalar `MAX`,
/// and timestamps kept as epoch seconds.
public struct SQLiteDialect: SQLDialect {
    public func placeholder(_ position: Int) -> String { "?\(position)" }
    public func equalsIgnoringCase(_ column: String, _ value: String) -> String { "\(column) = \(value) COLLATE NOCASE" }
    public func greatest(_ a: String, _ b: String) -> String { "MAX(\(a), \(b))" }
    public func epochSeconds(_ column: String) -> String { column }
    public func timestamp(epochSeconds value: String) -> String { value }
    /// BEGIN IMMEDIATE already holds the only write lock.
    public func forUpdate(of table: String) -> String { "" }
    /// SQLite's WITH clauses only read; its statements are calls in this process anyway.
    public let writesInWith = false
    public let keepingID = ""
    /// NULL into an INTEGER PRIMARY KEY takes the next rowid.
    public func idOrNext(_ value: String) -> String { value }
    /// AUTOINCREMENT keeps the largest id ever inserted, explicit ones included, and never
    /// hands out one at or below it.
    public func moveIDSequence(past value: String) -> String? { nil }
}

/// Why the database file could not be opened or owned, in one line that names it.
struct SQLiteOpenError: Error, CustomStringConvertible {
    let description: String

    static func cannotOpen(_ path: String, _ error: SQLiteError) -> SQLiteOpenError {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var line = "cannot open the database \(path): \(error.message)"
        var link = stat()
        if lstat(path, &link) == 0 && link.st_mode & S_IFMT == S_IFLNK {
            line += " (it is a symbolic link, which authd does not follow)"
        } else if access(path, F_OK) != 0 && access(directory, W_OK | X_OK) != 0 {
            line += " (its directory \(directory) is not writable by uid \(getuid()))"
        } else if access(path, F_OK) == 0 && access(path, R_OK | W_OK) != 0 {
            line += " (the file is not readable and writable by uid \(getuid()))"
        }
        return SQLiteOpenError(description: line)
    }
}
