/// One connection to the database, used by one pool thread at a time.
public protocol SQLConnection {
    /// Runs one statement with its bound values (at the dialect's placeholders) and
    /// returns every row.
    @discardableResult
    func query(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow]

    /// Runs SQL without bound values, several statements allowed (a schema's steps).
    func execute(_ sql: String) throws

    /// Runs `body` in one transaction, rolled back when it throws. SQLite takes the write
    /// lock at its start; PostgreSQL (read committed) locks rows as it writes them, so a
    /// check that must still hold at the write belongs in the write's own statement.
    func writeTransaction<T>(_ body: () throws -> T) throws -> T

    /// `writeTransaction` committed without waiting for the disk: it survives a crash or
    /// restart of authd, not of the machine. For login throttling, which writes on every
    /// attempt before its hash and must not make attempts wait on an fsync each.
    func relaxedWriteTransaction<T>(_ body: () throws -> T) throws -> T

    /// Runs `body`, a write, and announces `change(result)` to the other instances on
    /// the database atomically with it (a change with no announcement is lost to their
    /// caches). A database this process writes alone runs `body` as it is.
    func write<T>(announcing change: (T) -> StoreChange?, _ body: () throws -> T) throws -> T

    /// Inside a `writeTransaction`: announces `change` to the other instances when, and
    /// only if, the transaction commits. Nothing to do where this process writes alone.
    func announce(_ change: StoreChange) throws
    /// `write` committed without waiting for the disk, as `relaxedWriteTransaction` is
    /// (bulk imports: a rerun with skip_existing repairs what a machine crash loses).
    func relaxedWrite<T>(announcing change: (T) -> StoreChange?, _ body: () throws -> T) throws -> T
}

/// What a write changed, as announced to the other instances on the same database
/// so that they drop it from their caches.
public enum StoreChange: Sendable, Equatable {
    /// A user was created, changed or deleted.
    case user(Int64)
    /// A token was revoked.
    case revoked(jti: String)
    /// Sessions of the user ended.
    case sessions(userID: Int64)
    /// Users were imported: ids remembered as having no user may have one now.
    case imported
}
